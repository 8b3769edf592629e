/**
 * The engine's log, as its parts see it: pino's Logger (made in engine/main.ts) fits it. A part
 * takes only the levels it writes (`Pick<Logger, 'error'>`), so a test can hand it a recorder
 * of those alone.
 */
export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
