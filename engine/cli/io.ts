/**
 * Where a command writes: results to stdout (what scripts read), everything for people —
 * spinners, progress, notes, errors — to stderr. Colour only on a terminal, and never when
 * NO_COLOR is set (https://no-color.org); FORCE_COLOR turns it on anywhere.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Spinners and progress only when stderr is a terminal. */
  interactive: boolean;
  colour: boolean;
}

/** The process's own stdout/stderr. */
export function processIo(env: NodeJS.ProcessEnv = process.env): Io {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    interactive: process.stderr.isTTY === true,
    colour:
      forced ||
      (process.stdout.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb'),
  };
}
