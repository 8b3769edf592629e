import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * The engine's logger for `cloudfn serve`: on a terminal, one readable coloured line per
 * event (pino-pretty: time, level, message, then the fields); otherwise (a pipe, a file, a
 * log collector) pino's JSON lines, which machines read.
 */
export function engineLogger(options: {
  level: string;
  terminal: boolean;
  colour: boolean;
  /** Where pretty lines go (stdout by default). */
  destination?: NodeJS.WritableStream;
}): Logger {
  if (!options.terminal) return pino({ level: options.level });
  return pino(
    { level: options.level },
    pretty({
      colorize: options.colour,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      // Written as they come: a crash must not lose the lines before it.
      sync: true,
      ...(options.destination ? { destination: options.destination } : {}),
    }),
  );
}
