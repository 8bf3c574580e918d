/**
 * Folding a grid that is wider than the terminal: columns whose every row reads the same are
 * shown as one, named after the first of them (`bob +2`), with a legend naming every member.
 * Nothing is lost: identical columns say the same thing, and failing cells are listed in full
 * elsewhere.
 */

export interface ColumnGroup {
  /** The header of the folded column, e.g. `bob +2`, or the column's own name. */
  readonly label: string;
  /** Indexes of the original columns it stands for, in order. */
  readonly members: readonly number[];
}

/**
 * Groups columns with identical contents (`cells[row][column]`), in the order each group first
 * appears. A column without a twin stays a group of one, under its own name.
 */
export function foldColumns(names: readonly string[], cells: readonly (readonly string[])[]): ColumnGroup[] {
  const groups = new Map<string, number[]>();
  names.forEach((_name, column) => {
    const signature = JSON.stringify(cells.map((row) => row[column] ?? ''));
    groups.set(signature, [...(groups.get(signature) ?? []), column]);
  });
  return [...groups.values()].map((members) => ({
    label: members.length === 1 ? names[members[0]!]! : `${names[members[0]!]!} +${members.length - 1}`,
    members,
  }));
}

/**
 * Splits columns (by their widths, borders included) into runs that each fit in `available`
 * characters; a column wider than that gets a run of its own.
 */
export function splitColumns(widths: readonly number[], available: number): number[][] {
  const runs: number[][] = [];
  let current: number[] = [];
  let used = 0;
  widths.forEach((width, index) => {
    if (current.length > 0 && used + width > available) {
      runs.push(current);
      current = [];
      used = 0;
    }
    current.push(index);
    used += width;
  });
  if (current.length > 0) runs.push(current);
  return runs;
}
