/** A JSONPath-like location for messages: $.users[3].clientRoles["inventory-api"]. */
export type JsonPath = readonly (string | number)[];

export function formatJsonPath(path: JsonPath): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    return /^[A-Za-z_$][\w$]*$/.test(part) ? `${text}.${part}` : `${text}[${JSON.stringify(part)}]`;
  }, '$');
}
