import stringWidth from 'string-width';

/** One column of an aligned table: its heading and how to render a cell. */
export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

/**
 * Display width in terminal cells: ANSI colour codes take none, CJK and other wide
 * characters two, combining marks none (string-width, which follows Unicode's East Asian
 * Width). Without this, a coloured or Chinese cell pushes its row out of line.
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/**
 * Renders rows as a table with aligned columns separated by two spaces; the last column is
 * not padded (no trailing blanks). Newlines inside a cell are shown as "⏎".
 */
export function renderTable<T>(columns: Column<T>[], rows: T[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row).replace(/\r?\n/g, '⏎')));
  const widths = columns.map((c, i) =>
    Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]!))),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) =>
        i === values.length - 1 && columns[i]!.align !== 'right'
          ? v
          : pad(v, widths[i]!, columns[i]!.align ?? 'left'),
      )
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** A long value cut to `max` display cells with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = '';
  for (const char of text) {
    if (displayWidth(out + char) > max - 1) break;
    out += char;
  }
  return `${out}…`;
}
