/**
 * `.cloudfn/dev.json`: where a running `cloudfn dev` engine is (URL, admin token, pid), so
 * `cloudfn push`, `invoke`, `logs`… run in the project find it with no flags or env.
 */
import fs from 'node:fs';
import path from 'node:path';

export const DEV_DIR = '.cloudfn';
export const DEV_FILE = 'dev.json';

export interface DevFile {
  url: string;
  adminToken: string;
  pid: number;
}

export function devFilePath(root: string): string {
  return path.join(root, DEV_DIR, DEV_FILE);
}

export function writeDevFile(root: string, dev: DevFile): void {
  fs.mkdirSync(path.join(root, DEV_DIR), { recursive: true });
  // The admin token is a secret: readable by the user only.
  fs.writeFileSync(devFilePath(root), `${JSON.stringify(dev, null, 2)}\n`, { mode: 0o600 });
}

export function removeDevFile(root: string): void {
  fs.rmSync(devFilePath(root), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone (a dev that was killed); EPERM: another user's process reusing the pid.
    return false;
  }
}

/** The dev engine of the project around `cwd` (nearest .cloudfn/dev.json), if it still runs. */
export function findDevEngine(cwd: string): DevFile | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const file = devFilePath(dir);
    if (fs.existsSync(file)) {
      try {
        const dev = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DevFile>;
        if (
          typeof dev.url === 'string' &&
          typeof dev.adminToken === 'string' &&
          typeof dev.pid === 'number' &&
          alive(dev.pid)
        )
          return dev as DevFile;
      } catch {
        // A half-written or foreign file: no dev engine here.
      }
      return undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
