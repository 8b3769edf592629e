import type { Io } from './io.ts';

export interface Spinner {
  /** Changes the text after the spinner. */
  update(text: string): void;
  /** Clears the spinner line. */
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A spinner on stderr while slow work runs (bundling, uploading, exporting). Only on a
 * terminal: in scripts and CI it prints nothing, so output stays clean and diffable.
 */
export function startSpinner(io: Io, text: string): Spinner {
  if (!io.interactive) return { update: () => {}, stop: () => {} };
  let label = text;
  let frame = 0;
  const draw = () => process.stderr.write(`\r\u001b[2K${FRAMES[frame++ % FRAMES.length]} ${label}`);
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  return {
    update(next) {
      label = next;
      draw();
    },
    stop() {
      clearInterval(timer);
      process.stderr.write('\r\u001b[2K');
    },
  };
}

/** Runs `work` with a spinner showing `text`; the spinner goes away however work ends. */
export async function withSpinner<T>(
  io: Io,
  text: string,
  work: (spinner: Spinner) => Promise<T>,
): Promise<T> {
  const spinner = startSpinner(io, text);
  try {
    return await work(spinner);
  } finally {
    spinner.stop();
  }
}
