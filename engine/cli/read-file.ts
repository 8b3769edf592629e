import fs from 'node:fs';
import { usageError } from './errors.ts';

/** A file the user named, as UTF-8 text; a missing or unreadable one is a usage error (exit 2). */
export function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw usageError(`Cannot read ${file}: ${reason}.`, undefined, 'E_CLI_FILE');
  }
}
