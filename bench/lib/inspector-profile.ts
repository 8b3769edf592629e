/**
 * A V8 CPU profile of a running Node process that was not started with `--cpu-prof`: the
 * engine forks its executors with execArgv of its own, so `--cpu-prof` on the engine does
 * not reach them. SIGUSR1 makes a Node process open its inspector (127.0.0.1:9229); the
 * profile is then taken over the DevTools protocol (Profiler.start … Profiler.stop).
 * Only for the bench: one process at a time (the port is fixed), and the process keeps
 * its inspector open until it exits.
 */
import fs from 'node:fs';

const PORT = 9229;

interface Target {
  url: string;
  webSocketDebuggerUrl: string;
}

/** Waits for the inspector of the process whose main script is `scriptPath` to list itself. */
async function findTarget(scriptPath: string): Promise<Target> {
  for (let i = 0; i < 100; i++) {
    try {
      const list = (await (await fetch(`http://127.0.0.1:${PORT}/json/list`)).json()) as Target[];
      const target = list.find((t) => t.url.endsWith(scriptPath));
      if (target) return target;
      // Someone else's inspector holds the port: the profile would be of the wrong process.
      if (list.length > 0) throw new Error(`port ${PORT} is held by another inspector`);
    } catch (err) {
      if ((err as Error).message.includes('another inspector')) throw err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no inspector for ${scriptPath} on port ${PORT}`);
}

export interface RunningProfile {
  /** Stops the profiler and writes the profile to `file`. */
  stopInto(file: string): Promise<void>;
}

/** Opens the inspector of `pid` (running `scriptPath`) and starts its CPU profiler. */
export async function startProfile(pid: number, scriptPath: string): Promise<RunningProfile> {
  process.kill(pid, 'SIGUSR1');
  const target = await findTarget(scriptPath);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('inspector socket failed')), {
      once: true,
    });
  });
  let nextId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call('Profiler.enable');
  // The interval `--cpu-prof` uses, so both profiles read alike.
  await call('Profiler.setSamplingInterval', { interval: 1000 });
  await call('Profiler.start');
  return {
    async stopInto(file) {
      const { profile } = (await call('Profiler.stop')) as { profile: unknown };
      fs.writeFileSync(file, JSON.stringify(profile));
      socket.close();
    },
  };
}
