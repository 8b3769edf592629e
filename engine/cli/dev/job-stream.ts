/**
 * `cloudfn dev`'s log stream: every finished run of the project's functions, as `cloudfn
 * logs` prints it, polled from the engine. Runs from before the stream started are skipped.
 */
import type { AdminClient, ListAnswer } from '../admin-client.ts';
import { EngineRefusedError } from '../errors.ts';
import { paint } from '../format/colour.ts';
import { renderJob, type JobRow } from '../format/runs.ts';
import type { Io } from '../io.ts';

const POLL_MS = 400;
const RUNNING = new Set(['waiting', 'executing']);

export function streamJobs(
  client: AdminClient,
  functions: () => string[],
  io: Io,
): { stop(): void } {
  const seen = new Set<string>();
  let first = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const poll = async () => {
    for (const name of functions()) {
      let rows: JobRow[];
      try {
        rows = (
          await client.call<ListAnswer<JobRow>>(
            'GET',
            `/functions/${encodeURIComponent(name)}/jobs`,
            { query: { limit: 50 } },
          )
        ).objects;
      } catch (err) {
        if (err instanceof EngineRefusedError) continue; // not deployed (yet)
        throw err;
      }
      for (const row of [...rows].reverse()) {
        if (seen.has(row.id) || RUNNING.has(row.status)) continue;
        seen.add(row.id);
        if (!first) io.out(`${paint(name, 'bold', io.colour)}  ${renderJob(row, io.colour)}`);
      }
    }
    first = false;
  };
  const loop = async () => {
    try {
      await poll();
    } catch (err) {
      io.err(`(log stream: ${(err as Error).message}; retrying)`);
    }
    if (!stopped) timer = setTimeout(() => void loop(), POLL_MS);
  };
  void loop();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
