/**
 * Watches a project folder (fs.watch, recursive) and reports changed files in batches: an
 * editor's save is several events (write, rename, chmod), and one redeploy should follow.
 */
import fs from 'node:fs';

// Folders whose changes are not the project's sources.
const IGNORED = /^(?:node_modules|\.cloudfn|\.git)(?:[\\/]|$)/;

export function watchProject(
  root: string,
  onChange: (files: string[]) => void,
  debounceMs = 150,
): () => void {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watcher = fs.watch(root, { recursive: true }, (_event, filename) => {
    const file = filename?.toString();
    if (file === undefined || IGNORED.test(file)) return;
    pending.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...pending].sort();
      pending = new Set();
      onChange(files);
    }, debounceMs);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

/**
 * Runs `task` now and again after every `request()`, never two at once: a request during a
 * run makes one more run after it (saves during a deploy are not lost, nor deployed twice).
 */
export function serialRunner(task: () => Promise<void>): {
  request(): void;
  idle(): Promise<void>;
} {
  let running: Promise<void> | undefined;
  let again = false;
  const start = (): void => {
    running = task().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        start();
      }
    });
  };
  return {
    request() {
      if (running) again = true;
      else start();
    },
    async idle() {
      while (running) await running;
    },
  };
}
