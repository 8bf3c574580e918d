import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { KcboxError, describeError } from '../errors.js';
import { kcboxVersion } from '../package-info.js';
import { type CliOutput, processOutput } from './output.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a whole number above 0.');
  return number;
}

function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('expected a number of seconds above 0.');
  return seconds;
}

/**
 * Declares the commands; each lives in its own module and returns its exit code. A command's
 * module is loaded when it runs: `--version`, `token` or `status` never load the check, the
 * hostile suite or the runtimes.
 */
export function buildProgram(output: CliOutput, setExitCode: (code: number) => void): Command {
  const program = new Command('kcbox')
    .description('Keycloak-in-a-box for integration and contract tests.')
    .version(kcboxVersion())
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) })
    .showSuggestionAfterError();

  program
    .command('up')
    .description('Start a Keycloak, import realm files, print its URLs. Runs until Ctrl-C unless --detach.')
    .option('--realm <file>', 'realm file to import (repeatable; default: the bundled inventory realm)', collect, [])
    .option('--no-realm', 'start without importing any realm')
    .addOption(
      new Option('--runtime <runtime>', 'where Keycloak runs (env KCBOX_RUNTIME)').choices(['auto', 'dist', 'container', 'remote']),
    )
    .option('--keycloak <version>', 'Keycloak version (env KCBOX_KEYCLOAK_VERSION)')
    .option('--detach', 'return once ready and leave the server running (see kcbox status / down)', false)
    .option('--json', 'print one JSON object instead of text', false)
    .option('--show-password', 'print the admin password', false)
    .option('--timeout <seconds>', 'startup timeout (default 180)', positiveSeconds)
    .option('--tls', "serve https only, with a certificate signed by kcbox's local CA (see kcbox ca)", false)
    .action(async (options) => setExitCode(await (await import('./commands/up.js')).up(options, output)));

  program
    .command('check')
    .description(
      "Call every endpoint of a scope matrix as every user and compare with Keycloak's decisions. Exit 0 match, 1 mismatch, 2 bad input.",
    )
    .requiredOption('--matrix <file>', 'the matrix spec (YAML or JSON), e.g. examples/express-inventory/matrix.yaml')
    .option(
      '--openapi <file>',
      "coverage gate: every operation of this OpenAPI document needs a matrix entry or a skip (replaces the matrix's openapi.file)",
    )
    .option('--backend <url>', "check a backend already running at this URL instead of starting the spec's command")
    .option(
      '--report <format=path>',
      'also write a report: json, junit, md, html, sarif or summary (repeatable); with $GITHUB_STEP_SUMMARY set, the summary is appended there too',
      collect,
      [],
    )
    .option('--concurrency <n>', 'requests in flight at once (default 16)', positiveInteger)
    .option(
      '--show-tokens',
      "include each cell's bearer token in the JSON output and JSON report, and leave tokens and secrets unredacted (other formats never show tokens)",
      false,
    )
    .option('--json', 'print the result as JSON instead of the grid', false)
    .option('--hostile <ids>', 'run only these hostile-token cases (comma-separated ids, e.g. none,hs-confusion)')
    .option('--no-hostile', 'skip the hostile-token suite')
    .addOption(
      new Option('--fail-on <severity>', 'hostile findings at or above this severity fail the check (default high)').choices([
        'critical',
        'high',
        'policy',
        'advisory',
      ]),
    )
    .option('--hostile-sample', 'attack one protected endpoint per method instead of all', false)
    .option('--verbose', 'show every advisory hostile finding instead of one line per case', false)
    .addOption(
      new Option('--runtime <runtime>', 'where an ephemeral Keycloak runs when none is running').choices(['auto', 'dist', 'container']),
    )
    .option('--keycloak <versions>', 'Keycloak version of an ephemeral server; several (26.4.7,26.7.3): the check runs once per version')
    .action(async (options) => {
      const early = (await import('./commands/check-early.js')).startEarly(options);
      try {
        setExitCode(await (await import('./commands/check.js')).check(options, output));
      } finally {
        early.stop();
      }
    });

  program
    .command('init')
    .description('Write a matrix file from an OpenAPI document (and a realm file) for a person to review. Exit 0, 2 on bad input.')
    .requiredOption('--openapi <file>', 'OpenAPI 3.0 or 3.1 document, YAML or JSON')
    .option('--realm <file>', 'realm file: the resource server, its Authorization Services resources, users and roles')
    .option('--policy-enforcer <file>', 'keycloak.json with policy-enforcer.paths: the scopes each path and method needs')
    .option('--out <file>', 'the matrix file to write', 'matrix.yaml')
    .option('--force', 'overwrite --out when it exists', false)
    .action(async (options) => setExitCode(await (await import('./commands/init.js')).init(options, output)));

  program
    .command('token')
    .argument('<user>', 'a fixture user of the realm, e.g. alice')
    .description("Print a user's access token (only the token), from the running server.")
    .option('--realm <name>', "realm (default: the server's first realm)")
    .option(
      '--client <id>',
      "client to log in with (default: the realm file's public client with direct access grants, else one with the standard flow)",
    )
    .option('--secret <secret>', 'client secret (default: from the realm file)')
    .option('--password <password>', 'password (default: from the realm file)')
    .addOption(
      new Option(
        '--flow <flow>',
        "how to log in: password grant, Keycloak's login form (authorization code + PKCE), or auto: by the client's direct access grants",
      )
        .choices(['auto', 'password', 'code'])
        .default('auto'),
    )
    .option('--redirect-uri <uri>', 'redirect URI for the login form (default: one the client registered; nothing needs to listen)')
    .option('--rpt', 'print a requesting party token with the granted permissions', false)
    .option('--audience <client>', "resource server for --rpt (default: the realm's client with authorization services)")
    .option('--permission <Resource#scope>', 'permission to ask for with --rpt (repeatable)', collect, [])
    .option('--id-token', 'print the ID token instead', false)
    .option('--decode', 'print the claims as JSON instead of the token', false)
    .action(async (user: string, options) => setExitCode(await (await import('./commands/token.js')).token(user, options, output)));

  program
    .command('key')
    .description("Print the realm's public signing key as a PEM block.")
    .option('--realm <name>', "realm (default: the server's first realm)")
    .action(async (options) => setExitCode(await (await import('./commands/key.js')).key(options, output)));

  program
    .command('export')
    .description("Write a client's live authorization settings in Keycloak's export format (names, no ids).")
    .option('--realm <name>', "realm (default: the server's first realm)")
    .requiredOption('--client <id>', 'the resource server client, e.g. inventory-api')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options) => setExitCode(await (await import('./commands/export.js')).exportSettings(options, output)));

  program
    .command('drift')
    .description(
      'Compare exported authorization settings (or a whole realm file) with the live realm. Exit 0 no drift, 1 drift, 2 bad input.',
    )
    .option('--config <file>', 'exported authorization settings, e.g. realm/inventory-authz-config.json')
    .option('--realm-file <file>', 'a whole realm file: roles, clients, role mappings and authorization settings')
    .option('--realm <name>', "live realm (default: the server's first realm, or the file's realm)")
    .option('--client <id>', 'the resource server client for --config', 'inventory-api')
    .option('--user <name>', 'compare decisions of this user only (repeatable; default every user)', collect, [])
    .option('--json', 'print the drift as JSON', false)
    .action(async (options) => setExitCode(await (await import('./commands/drift.js')).drift(options, output)));

  program
    .command('fetch')
    .description('Download and build the Keycloak distribution without starting it (warms the cache).')
    .option('--keycloak <version>', 'Keycloak version (env KCBOX_KEYCLOAK_VERSION)')
    .option('--json', 'print one JSON object', false)
    .action(async (options) => setExitCode(await (await import('./commands/fetch.js')).fetch(options, output)));

  program
    .command('ca')
    .description("Print the path of kcbox's local CA certificate (PEM), making it first if needed: what clients of a --tls server trust.")
    .action(async () => setExitCode(await (await import('./commands/ca.js')).ca(output)));

  program
    .command('status')
    .description('Exit 0 when the recorded server answers, 1 otherwise.')
    .option('--json', 'print one JSON object', false)
    .action(async (options) => setExitCode(await (await import('./commands/status.js')).status(options, output)));

  program
    .command('doctor')
    .description('Say what kcbox would do on this machine and why, with fixes. Exit 0 when a check can run here, 1 otherwise.')
    .option('--json', 'print one JSON object', false)
    .action(async (options) => setExitCode(await (await import('./commands/doctor.js')).doctor(options, output)));

  program
    .command('down')
    .description('Stop the recorded server (exit 0 also when none runs).')
    .option('--json', 'print one JSON object', false)
    .action(async (options) => setExitCode(await (await import('./commands/down.js')).down(options, output)));

  return program;
}

/** Runs the CLI and returns the exit code: 0 pass, 1 findings / not running, 2 usage or environment error. */
export async function runCli(argv: readonly string[], output: CliOutput = processOutput): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(output, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other parse error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof KcboxError) {
      output.err(`kcbox: ${error.message}`);
      return error.exitCode;
    }
    output.err(`kcbox: unexpected error: ${describeError(error)}`);
    if (process.env.DEBUG) output.err(error instanceof Error ? (error.stack ?? '') : '');
    return 2;
  }
}
