/**
 * Signs in a failed start's log that the cached files, not the configuration or the realms, are at
 * fault: what kcbox rebuilds once before giving up. Kept narrow on purpose: a false alarm costs a
 * rebuild (a minute), and an installation whose files still match their manifest is never rebuilt
 * on these signs alone (see `discardDamagedInstallation`).
 */
export interface CacheDamageSign {
  /** `installation`: jars or classes missing or unreadable. `database-template`: the H2 file copied from the template is corrupt. */
  readonly kind: 'installation' | 'database-template';
  /** The log line that shows it, without its timestamp. */
  readonly evidence: string;
}

const INSTALLATION_SIGNS = [
  /Could not find or load main class/,
  /java\.lang\.ClassNotFoundException/,
  /java\.lang\.NoClassDefFoundError/,
  /Unable to access jarfile/,
  /java\.util\.zip\.ZipException/,
  /zip END header not found/,
  /invalid LOC header/,
  /error in opening zip file/,
  /java\.nio\.file\.NoSuchFileException: \S*\/lib\//,
];

const TEMPLATE_SIGNS = [
  /File corrupted while reading record/,
  /File is corrupted/,
  /org\.h2\.mvstore\.MVStoreException/,
  // H2's FILE_CORRUPTED_1 and FILE_VERSION_ERROR_1, e.g. "[90030-240]".
  /\[900(?:30|48)-\d+\]/,
];

function evidenceOf(line: string): string {
  const stripped = line
    .replace(/^\d{4}-\d\d-\d\d [\d:,.]+\s+\w+\s+\[[^\]]*\]\s+\([^)]*\)\s+/, '')
    .replace(/^ERROR:\s*/, '')
    .trim();
  return stripped.length > 200 ? `${stripped.slice(0, 197)}...` : stripped;
}

/** The first sign of damaged cache files in a log; installation signs win, since a rebuilt installation comes with a new template. */
export function cacheDamageSign(logLines: readonly string[]): CacheDamageSign | undefined {
  // The supervisor's own notes quote nothing of Keycloak's.
  const lines = logLines.filter((line) => !line.startsWith('[kcbox-supervisor'));
  for (const [kind, signs] of [
    ['installation', INSTALLATION_SIGNS],
    ['database-template', TEMPLATE_SIGNS],
  ] as const) {
    const line = lines.find((candidate) => signs.some((sign) => sign.test(candidate)));
    if (line !== undefined) return { kind, evidence: evidenceOf(line) };
  }
  return undefined;
}
