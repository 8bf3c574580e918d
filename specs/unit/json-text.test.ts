import { describe, expect, it } from 'vitest';
import { jsonSyntaxError } from '../../harness/input/json-text.js';

/** Text → `LINE:COLUMN: message`, from the text alone: no position from the engine's message is needed. */
const cases: Array<[string, string, string]> = [
  ['trailing comma in an object', '{\n  "a": 1,\n}', "3:1: trailing comma before '}': JSON allows no comma after the last property"],
  ['trailing comma in a list', '{"a": [1, 2,]}', "1:13: trailing comma before ']': JSON allows no comma after the last item"],
  ['missing comma', '{\n  "a": "b"\n  "c": 1\n}', `3:3: expected ',' or '}' after the property value, found "c" (a missing ',')`],
  ['missing comma in a list', '[1 2]', "1:4: expected ',' or ']' after the item, found '2' (a missing ',')"],
  ['unterminated string', '{"a": "abc', `1:7: unterminated string: no closing '"' before the end of the file`],
  ['line break in a string', '{"a": "abc\n"}', `1:7: unterminated string: no closing '"' before the end of the line`],
  ['truncated input', '{\n  "a": ', '2:8: expected a value, found the end of the file (is the file cut short?)'],
  ['truncated object', '{"a": 1', "1:8: expected '}' to close the object, found the end of the file (is the file cut short?)"],
  [
    'bare word',
    '{"a": oops}',
    "1:7: unexpected 'oops' (strings and property names need double quotes; the literals are true, false and null)",
  ],
  ['single quotes', "{'a': 1}", "1:2: unexpected 'a' (JSON strings use double quotes)"],
  ['byte order mark', '\ufeff{"a": 1}', '1:1: unexpected U+FEFF: only spaces, tabs and line breaks may separate JSON values'],
  ['no-break space', '{"a":\u00a01}', '1:6: unexpected U+00A0: only spaces, tabs and line breaks may separate JSON values'],
  ['zero-width space', '{"a":\u200b1}', '1:6: unexpected U+200B: only spaces, tabs and line breaks may separate JSON values'],
  ['empty', ' \n', '1:1: the file is empty: expected a JSON value'],
  ['text after the value', '{"a": 1}}', "1:9: unexpected '}' after the end of the JSON value"],
  ['comment', '{"a": 1 // why\n}', '1:9: comments are not allowed in JSON'],
  ['leading zero', '{"a": 01}', '1:7: a number cannot start with 0 (JSON has no leading zeros)'],
  ['control character', '{"a": "x\ty"}', '1:9: control character U+0009 in a string: write it as an escape (\\t, \\n, \\u0000)'],
  [
    'bad escape',
    '{"a": "x\\qy"}',
    '1:9: invalid escape in a string (JSON has \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u followed by four hex digits)',
  ],
  ['missing colon', '{"a" 1}', "1:6: expected ':' after the property name, found '1'"],
  ['CRLF line ends', '{\r\n  "a": 1,\r\n}', "3:1: trailing comma before '}': JSON allows no comma after the last property"],
];

describe('JSON syntax errors', () => {
  it.each(cases)('%s', (_name, text, expected) => {
    expect(() => JSON.parse(text)).toThrow();
    let engineError: unknown;
    try {
      JSON.parse(text);
    } catch (error) {
      engineError = error;
    }
    const fromText = jsonSyntaxError(text);
    expect(`${fromText.line}:${fromText.column}: ${fromText.message}`).toBe(expected);
    // The engine's message (which differs between Node versions) changes nothing.
    expect(jsonSyntaxError(text, engineError)).toEqual(fromText);
  });

  it('clips a long token', () => {
    const { message } = jsonSyntaxError(`{"a": ${'x'.repeat(10_000)}}`);
    expect(message.length).toBeLessThan(150);
    expect(message).toContain('…');
  });
});
