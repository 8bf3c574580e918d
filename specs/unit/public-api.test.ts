import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as kcbox from '../../harness/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const harness = join(root, 'harness');

/**
 * Names of kcbox's own types that the exported declarations mention (in signatures, fields,
 * extends clauses), followed through the types they mention in turn.
 */
function mentionedTypes(): { exported: Set<string>; mentioned: Map<string, string> } {
  const program = ts.createProgram([join(harness, 'index.ts')], { module: ts.ModuleKind.NodeNext, strict: true });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(join(harness, 'index.ts'))!;
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(index)!);
  const exported = new Set(exports.map((symbol) => symbol.getName()));
  const mentioned = new Map<string, string>();
  const seen = new Set<ts.Node>();
  const visit = (node: ts.Node) => {
    if (seen.has(node)) return;
    seen.add(node);
    if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
      const target = ts.isTypeReferenceNode(node) ? node.typeName : node.expression;
      let symbol = checker.getSymbolAtLocation(target);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      for (const declaration of symbol?.declarations ?? []) {
        const file = declaration.getSourceFile().fileName;
        if (!file.startsWith(harness) || ts.isTypeParameterDeclaration(declaration)) continue;
        mentioned.set(symbol!.getName(), file.slice(root.length + 1));
        visit(declaration);
      }
    }
    // Function bodies are implementation, not API.
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node)) {
      for (const part of [...node.parameters, ...(node.type ? [node.type] : []), ...(node.typeParameters ?? [])]) visit(part);
      return;
    }
    if (ts.isVariableDeclaration(node)) {
      if (node.type) visit(node.type);
      return;
    }
    ts.forEachChild(node, visit);
  };
  for (const symbol of exports) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    for (const declaration of target.declarations ?? []) visit(declaration);
  }
  return { exported, mentioned };
}

describe('the package root', () => {
  it('exports exactly the public values', () => {
    expect(Object.keys(kcbox).sort()).toEqual([
      'ANONYMOUS',
      'DEFAULT_CONCURRENCY',
      'DEFAULT_KEYCLOAK_VERSION',
      'EXIT_CODES',
      'HOSTILE_CASE_IDS',
      'KEYCLOAK_IMAGE',
      'KcboxError',
      'KeycloakStartError',
      'LoginError',
      'MatrixSpecError',
      'REPORT_FORMATS',
      'SEVERITY_ORDER',
      'TokenCache',
      'TokenError',
      'attachKeycloak',
      'audiences',
      'authorizationCodeGrant',
      'authzDrift',
      'bundledAuthzConfigPath',
      'bundledRealmPath',
      'checkExitCode',
      'checkMatrix',
      'checkMatrixVersions',
      'chooseLoginFlow',
      'clientCredentialsGrant',
      'connectionOf',
      'countHostile',
      'countMatrix',
      'decodeClaims',
      'exportAuthorizationSettings',
      'grantedScopes',
      'hostileSummary',
      'importRealm',
      'initMatrix',
      'isKcboxError',
      'isReportFormat',
      'isolatedCopy',
      'keycloakContainer',
      'loadMatrixSpec',
      'loadMatrixSpecSync',
      'loadRealm',
      'loadRealms',
      'loginClientOf',
      'loginTokens',
      'openApiCoverage',
      'parseKeycloakVersions',
      'parseMatrixSpec',
      'parseReportTargets',
      'passwordGrant',
      'readState',
      'realmDrift',
      'realmEndpoints',
      'realmPublicKeyPem',
      'refreshGrant',
      'renderMatrixHtml',
      'renderMatrixJson',
      'renderMatrixJunit',
      'renderMatrixMarkdown',
      'renderMatrixText',
      'renderReport',
      'renderVersionsJson',
      'renderVersionsJunit',
      'renderVersionsMarkdown',
      'renderVersionsText',
      'resolveRuntime',
      'rptGrant',
      'startKeycloak',
      'stateFilePath',
      'summaryLine',
      'umaDecision',
      'umaPermissions',
      'validateRealm',
      'writeReports',
      'writeVersionReports',
    ]);
  });

  it('exports every kcbox type its exports mention', () => {
    const { exported, mentioned } = mentionedTypes();
    const missing = [...mentioned].filter(([name]) => !exported.has(name)).map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
    // The test sees through the API: checkMatrix's options mention the hostile suite's types.
    expect(mentioned.has('HostileOptions')).toBe(true);
  }, 60_000);
});
