/** Line layout for the text report: every line, indentation included, fits the given width. */

/**
 * `text` wrapped at spaces so that every line, prefix included, fits `width` columns; the first
 * line starts with `first`, the others with `rest`. Words longer than a line are cut.
 */
export function hangingWrap(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let prefix = first;
  let line = '';
  const room = () => Math.max(8, width - prefix.length);
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (line && line.length + 1 + word.length > room()) {
      lines.push(prefix + line);
      [prefix, line] = [rest, ''];
    }
    let piece = word;
    while (!line && piece.length > room()) {
      const size = room();
      lines.push(prefix + piece.slice(0, size));
      [prefix, piece] = [rest, piece.slice(size)];
    }
    line = line ? `${line} ${piece}` : piece;
  }
  if (line || lines.length === 0) lines.push(prefix + line);
  return lines;
}

/**
 * Parts joined by ` · ` while the line fits `width`; a part that does not fit starts a new line
 * indented by two spaces (and wraps at spaces itself when it is wider than the width).
 */
export function fitParts(parts: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 3 + part.length <= width) lines[lines.length - 1] = `${last} · ${part}`;
    else lines.push(...hangingWrap(part, width, last === undefined ? '' : '  ', '  '));
  }
  return lines;
}

/** What paints text in the terminal report (picocolors, or its colourless twin). */
export interface Paint {
  dim(text: string): string;
}

/** `title · fact · fact`, wrapped to the width: the title painted, the facts dim. */
export function headingText(title: string, facts: readonly string[], paint: (text: string) => string, c: Paint, width: number): string {
  return fitParts([title, ...facts], width)
    .map((line, index) => (index === 0 && line.startsWith(title) ? `${paint(title)}${c.dim(line.slice(title.length))}` : c.dim(line)))
    .join('\n');
}
