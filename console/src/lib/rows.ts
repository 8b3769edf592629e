/** Edits of the row lists the console's forms keep in state (filters, rules, actions, fields). */

/** `rows` with row `i` changed by `patch`; the others are the same objects. */
export function patchAt<T>(rows: readonly T[], i: number, patch: Partial<T>): T[] {
  return rows.map((row, j) => (j === i ? { ...row, ...patch } : row));
}

/** `rows` without row `i`. */
export function removeAt<T>(rows: readonly T[], i: number): T[] {
  return rows.filter((_, j) => j !== i);
}
