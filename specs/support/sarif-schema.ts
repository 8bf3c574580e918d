import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
// CommonJS packages: their default export is `.default` of what an ES module imports.
const Ajv04 = ajvDraft04.default;
const addFormats = ajvFormats.default;

/**
 * The SARIF 2.1.0 JSON schema as the @microsoft/jest-sarif package ships it (the schemastore copy,
 * draft-04), read from node_modules: never fetched at test time.
 */
export const SARIF_SCHEMA_FILE = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

let validator: ((log: unknown) => string[]) | undefined;

/** Every schema violation of a SARIF log, as `instancePath: message`; empty when the log is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  if (!validator) {
    // unicodeRegExp off: the schema's `language` pattern has a stray `]` that only non-unicode regular expressions accept.
    const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA_FILE, 'utf8')) as object);
    validator = (value) =>
      validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message ?? ''}`);
  }
  return validator(log);
}
