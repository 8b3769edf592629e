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

/**
 * A reader that stops early (`cloudfn functions list | head -1`) closes the pipe: the next
 * write fails with EPIPE. That is the reader's choice, not a failure of the command, so the
 * process exits quietly with 0 as Unix tools do, instead of crashing with a stack.
 */
export function exitQuietlyOnEpipe(stream: NodeJS.WriteStream = process.stdout): void {
  if (epipeGuarded.has(stream)) return;
  epipeGuarded.add(stream);
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
const epipeGuarded = new WeakSet<NodeJS.WriteStream>();

/** The process's own stdout/stderr. */
export function processIo(env: NodeJS.ProcessEnv = process.env): Io {
  exitQuietlyOnEpipe(process.stdout);
  exitQuietlyOnEpipe(process.stderr);
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
