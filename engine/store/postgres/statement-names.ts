/**
 * Names for the parameterised statements of this process, so that each connection parses and
 * analyses a statement once (a named prepared statement) instead of at every call. Where the
 * pool lets it (the durable one: pool.ts says why not the other), the server also keeps a
 * generic plan after five runs when it costs no more than planning each run.
 *
 * Why: every push makes a share of four statements (the accept, a claim, a completion, the job
 * rows), each a few hundred characters of CTEs; with them named, and the accept's plan kept,
 * the server's CPU per push fell by a fifth in the cluster bench (docs/performance.md, "Named
 * statements, and plans that do not go stale").
 *
 * Bounded: the engine's statements are constants, a few dozen texts; a text past the bound
 * (statements built at run time) goes unnamed rather than growing every connection's set of
 * prepared statements. A text the server refused to run prepared (its result type changed
 * under it, e.g. a column added by a newer process's migration) is never named again.
 */

/** More distinct texts than the engine has: past it, statements run unnamed. */
export const MAX_NAMED = 256;

export class StatementNames {
  readonly #names = new Map<string, string>();
  readonly #refused = new Set<string>();
  readonly #max: number;
  #made = 0;

  constructor(max = MAX_NAMED) {
    this.#max = max;
  }

  /** The name of `text`, or undefined if it runs unnamed. */
  nameOf(text: string): string | undefined {
    const known = this.#names.get(text);
    if (known !== undefined || this.#refused.has(text)) return known;
    if (this.#names.size >= this.#max) return undefined;
    const name = `cloudfn_${++this.#made}`;
    this.#names.set(text, name);
    return name;
  }

  /** The server could not run `text` as prepared: from now on it runs unnamed. */
  refuse(text: string): void {
    this.#names.delete(text);
    this.#refused.add(text);
  }
}

/**
 * A statement prepared on a connection cannot return other columns than when it was
 * prepared: after a table it reads changed shape, PostgreSQL refuses it with this message
 * (SQLSTATE 0A000, feature_not_supported) until the connection prepares it afresh.
 */
export function isStalePreparedStatement(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (
    e?.code === '0A000' &&
    typeof e.message === 'string' &&
    e.message.includes('cached plan must not change result type')
  );
}
