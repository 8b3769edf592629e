import { paint, type Colour } from './colour.ts';

/** A line of a function's console output as the API returns it. */
export interface LogLine {
  level: string;
  message: string;
  at?: number;
}

const LEVEL_COLOUR: Record<string, Colour> = {
  log: 'grey',
  info: 'blue',
  warn: 'yellow',
  error: 'red',
};

/** A job's console output, one line each, prefixed with its level (`[warn] …`). */
export function renderLogLines(log: LogLine[], colour: boolean, indent = ''): string {
  return log
    .map((line) => {
      const level = paint(`[${line.level}]`, LEVEL_COLOUR[line.level] ?? 'grey', colour);
      return line.message
        .split('\n')
        .map((part, i) => `${indent}${i === 0 ? level : ' '.repeat(line.level.length + 2)} ${part}`)
        .join('\n');
    })
    .join('\n');
}
