/** The guest `console`: levels into the job log, capped per job. */
import { formatArgs } from './format.ts';
import { ObjectFreeze, StringPrototypeSlice } from './intrinsics.ts';

export interface ConsoleSink {
  /** False once the job's log is full: the console then stops crossing the bridge. */
  open: boolean;
  maxLineChars: number;
  log: (level: string, message: string) => boolean;
}

/** Builds a frozen console whose lines go to `sink`. */
export function createConsole(sink: ConsoleSink): object {
  const emit =
    (level: string) =>
    (...args: unknown[]): void => {
      if (!sink.open) return;
      let message = formatArgs(args);
      if (message.length > sink.maxLineChars)
        message = `${StringPrototypeSlice(message, 0, sink.maxLineChars)}… [line truncated]`;
      if (!sink.log(level, message)) sink.open = false;
    };
  const log = emit('log');
  return ObjectFreeze({
    log,
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    debug: log,
    trace: log,
  });
}
