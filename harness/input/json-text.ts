/**
 * Strict JSON with located errors. `JSON.parse` decides what is valid; when it refuses, jsonc-parser
 * (in strict mode: no comments, no trailing commas) finds where and why, because the V8 message
 * carries a position only for some errors and its wording changes between Node versions.
 */
import { type ParseErrorCode, printParseErrorCode, visit } from 'jsonc-parser';
import { type InputProblem, clip, lineAndColumnAt } from './text-file.js';

/** Where JSON text goes wrong: 1-based line and column, and what is wrong. */
export interface JsonSyntaxError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

interface FirstError {
  readonly code: ReturnType<typeof printParseErrorCode>;
  readonly offset: number;
  readonly length: number;
  /** The innermost open object or array when it happened. */
  readonly container: 'object' | 'array' | undefined;
}

function firstError(text: string): FirstError | undefined {
  const open: Array<'object' | 'array'> = [];
  let found: FirstError | undefined;
  visit(
    text,
    {
      onObjectBegin: () => void open.push('object'),
      onObjectEnd: () => void open.pop(),
      onArrayBegin: () => void open.push('array'),
      onArrayEnd: () => void open.pop(),
      onError: (code: ParseErrorCode, offset: number, length: number) => {
        found ??= { code: printParseErrorCode(code), offset, length, container: open.at(-1) };
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  return found;
}

/** Whitespace and format characters: shown by code point, since they cannot be seen. */
const INVISIBLE = /[\s\p{Cf}]/u;
const ONLY_WHITESPACE = 'only spaces, tabs and line breaks may separate JSON values';

/** The first character outside strings that JSON.parse refuses but jsonc-parser takes for whitespace. */
function oddWhitespace(text: string): number | undefined {
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (INVISIBLE.test(char) && !/[ \t\r\n]/.test(char)) return index;
  }
  return undefined;
}

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The token at the error, for messages: `'oops'`, `"name"`, `'}'`, or `the end of the file`. */
function found(text: string, offset: number, length: number): string {
  if (offset >= text.length) return 'the end of the file';
  const token = clip(text.slice(offset, offset + Math.max(length, 1)), 20);
  return /^["']/.test(token) ? token : `'${token}'`;
}

function previousSignificant(text: string, offset: number): string {
  return text.slice(0, offset).trimEnd().slice(-1);
}

function describe(text: string, error: FirstError): { offset: number; message: string } {
  const { offset, length, container } = error;
  const token = found(text, offset, length);
  const closer = container === 'array' ? ']' : '}';
  const truncated = offset >= text.trimEnd().length ? ' (is the file cut short?)' : '';
  const inString = (pattern: RegExp): number => {
    const match = pattern.exec(text.slice(offset, offset + length));
    return match ? offset + match.index : offset;
  };
  switch (error.code) {
    case 'PropertyNameExpected':
      if (previousSignificant(text, offset) === ',' && text.charAt(offset) === '}')
        return { offset, message: "trailing comma before '}': JSON allows no comma after the last property" };
      return { offset, message: `expected a property name in double quotes, found ${token}${truncated}` };
    case 'ValueExpected':
      if (previousSignificant(text, offset) === ',' && text.charAt(offset) === ']')
        return { offset, message: "trailing comma before ']': JSON allows no comma after the last item" };
      return { offset, message: `expected a value, found ${token}${truncated}` };
    case 'ColonExpected':
      return { offset, message: `expected ':' after the property name, found ${token}${truncated}` };
    case 'CommaExpected':
      if (/^[0-9]/.test(text.charAt(offset)) && /(^|[^0-9.eE+-])-?0$/.test(text.slice(Math.max(0, offset - 3), offset)))
        return { offset: offset - 1, message: 'a number cannot start with 0 (JSON has no leading zeros)' };
      return {
        offset,
        message: `expected ',' or '${closer}' after the ${container === 'array' ? 'item' : 'property value'}, found ${token}${
          truncated || " (a missing ',')"
        }`,
      };
    case 'CloseBraceExpected':
      return { offset, message: `expected '}' to close the object, found ${token}${truncated}` };
    case 'CloseBracketExpected':
      return { offset, message: `expected ']' to close the list, found ${token}${truncated}` };
    case 'EndOfFileExpected':
      return { offset, message: `unexpected ${token} after the end of the JSON value` };
    case 'InvalidSymbol': {
      if (INVISIBLE.test(text.charAt(offset)))
        return { offset, message: `unexpected ${codePoint(text.charAt(offset))}: ${ONLY_WHITESPACE}` };
      const hint = /^'/.test(text.charAt(offset))
        ? ' (JSON strings use double quotes)'
        : /^[A-Za-z_$]/.test(text.charAt(offset))
          ? ' (strings and property names need double quotes; the literals are true, false and null)'
          : '';
      return { offset, message: `unexpected ${token}${hint}` };
    }
    case 'InvalidNumberFormat':
    case 'UnexpectedEndOfNumber':
      return { offset, message: `malformed number ${token}` };
    case 'UnexpectedEndOfString':
      return {
        offset,
        message: `unterminated string: no closing '"' before the end of the ${offset + length >= text.length ? 'file' : 'line'}`,
      };
    case 'InvalidCharacter': {
      const at = inString(/[\u0000-\u001f]/);
      return {
        offset: at,
        message: `control character ${codePoint(text.charAt(at))} in a string: write it as an escape (\\t, \\n, \\u0000)`,
      };
    }
    case 'InvalidEscapeCharacter':
    case 'InvalidUnicode':
      return {
        offset: inString(/\\(?:u(?![0-9a-fA-F]{4})|[^"\\/bfnrtu])/),
        message: 'invalid escape in a string (JSON has \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u followed by four hex digits)',
      };
    case 'InvalidCommentToken':
    case 'UnexpectedEndOfComment':
      return { offset, message: 'comments are not allowed in JSON' };
    default:
      return { offset, message: `unexpected ${token}` };
  }
}

/**
 * Where and why `text` is not JSON, for a text `JSON.parse` refused (`error`, its exception, is
 * used only when the strict parser finds nothing: then its position, if any, else the end).
 */
export function jsonSyntaxError(text: string, error?: unknown): JsonSyntaxError {
  let located: { offset: number; message: string };
  const first = text.trim() === '' ? undefined : firstError(text);
  if (text.trim() === '') located = { offset: 0, message: 'the file is empty: expected a JSON value' };
  else if (first) located = describe(text, first);
  else {
    const odd = oddWhitespace(text);
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    located =
      odd !== undefined
        ? {
            offset: odd,
            message: `unexpected ${codePoint(text.charAt(odd))}: ${ONLY_WHITESPACE}`,
          }
        : {
            offset: position === undefined ? text.length : Number(position),
            message: clip(error instanceof Error ? error.message : 'not valid JSON', 120),
          };
  }
  return { ...located, ...lineAndColumnAt(text, located.offset) };
}

/**
 * `JSON.parse`, with a refusal turned into the caller's error for `FILE:LINE:COLUMN: malformed
 * JSON: what is wrong`.
 */
export function parseJsonText(text: string, file: string, fail: (problem: InputProblem) => Error): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const { line, column, message } = jsonSyntaxError(text, error);
    throw fail({ file, line, column, message: `malformed JSON: ${message}`, cause: error });
  }
}
