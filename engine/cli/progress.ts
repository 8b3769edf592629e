import type { Io } from './io.ts';

export interface Progress {
  /** `done` of `total` units (total unknown: a running count instead of a bar). */
  update(done: number, total?: number): void;
  stop(): void;
}

const WIDTH = 24;

/** The bar itself, pure: `[#########---------------]  37%`. */
export function renderBar(done: number, total: number): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%`;
}

/**
 * A progress bar on stderr for exports and imports, redrawn at most every 100 ms. Only on a
 * terminal; `describe` renders the counts ("1.2 MB", "500 records").
 */
export function startProgress(io: Io, label: string, describe: (n: number) => string): Progress {
  if (!io.interactive) return { update: () => {}, stop: () => {} };
  let last = 0;
  const draw = (done: number, total?: number) => {
    const counts = total === undefined ? describe(done) : `${describe(done)} of ${describe(total)}`;
    process.stderr.write(
      `\r\u001b[2K${label} ${total === undefined ? '' : `${renderBar(done, total)} `}${counts}`,
    );
  };
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && (total === undefined || done < total)) return;
      last = now;
      draw(done, total);
    },
    stop() {
      process.stderr.write('\r\u001b[2K');
    },
  };
}
