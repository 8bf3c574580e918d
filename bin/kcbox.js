#!/usr/bin/env node
// The CLI runs from the compiled output: `npm run build` (npm start and npm test run it; an install
// of kcbox as a dependency builds it through the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/harness/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('kcbox: the compiled CLI is missing (dist/). Run `npm run build` in the kcbox folder.\n');
  process.exit(2);
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
