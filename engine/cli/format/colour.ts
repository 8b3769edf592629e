const CODES = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  grey: 90,
  bold: 1,
} as const;
export type Colour = keyof typeof CODES;

/** Wraps text in an ANSI colour when `enabled` (a terminal), else returns it unchanged. */
export function paint(text: string, colour: Colour, enabled: boolean): string {
  return enabled ? `\u001b[${CODES[colour]}m${text}\u001b[${colour === 'bold' ? 22 : 39}m` : text;
}

/**
 * The colour of a job or trigger-log status: green done, yellow on its way (or retrying),
 * red failed for good.
 */
export function statusColour(status: string): Colour {
  switch (status) {
    case 'fulfilled':
    case 'succeeded':
      return 'green';
    case 'waiting':
    case 'executing':
    case 'pending':
    case 'failed':
      return 'yellow';
    case 'execution_failed':
    case 'deadline_exceeded':
    case 'execution_rejected':
    case 'dead_letter':
      return 'red';
    default:
      return 'grey';
  }
}

/** Strips ANSI colour codes (for width computations and tests). */
export function stripColour(text: string): string {
  // eslint-disable-next-line no-control-regex -- ESC is exactly what an ANSI code starts with
  return text.replace(/\u001b\[\d+m/g, '');
}
