import { startServe, type ServeProcess } from '../../../helpers/serve-process.ts';
import { repoRoot } from '../../../helpers/fixtures.ts';

export const CHILD_ADMIN_TOKEN = 'child-admin-token';

export interface ChildEngine extends Omit<ServeProcess, 'api'> {
  /** Calls the admin API with the child's admin token; parses JSON answers. */
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/**
 * Runs `cloudfn serve --port 0` as a real child process (the pinned Node 24) on `dataDir`
 * with a known admin token, and resolves with its URL, read from the "listening" log line.
 */
export async function spawnEngine(dataDir: string): Promise<ChildEngine> {
  const serve = await startServe({
    cwd: repoRoot,
    env: { CLOUDFN_ADMIN_TOKEN: CHILD_ADMIN_TOKEN },
    args: ['--port', '0', '--data-dir', dataDir],
  });
  return {
    ...serve,
    api: (method, route, body) => serve.api(CHILD_ADMIN_TOKEN, method, route, body),
  };
}
