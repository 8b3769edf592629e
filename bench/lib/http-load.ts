/**
 * A small HTTP load generator on node:http with keep-alive sockets: open loop (requests
 * sent on a fixed schedule, whatever the server does) and closed loop (a fixed number of
 * requests in flight, each sent as soon as the previous answer arrived). Bounded by the
 * request list and by a deadline. Loopback targets only: it is a benchmark, not a tool.
 */
import http from 'node:http';

export interface LoadRequest {
  /** Path with query, e.g. `/wechat/wx…?signature=…`. */
  path: string;
  body: Buffer;
  contentType: string;
}

export interface LoadResult {
  /** Requests sent. */
  sent: number;
  /** Answers with status 200. */
  ok: number;
  /** Non-200 answers and socket errors, by status (0 = error/timeout). */
  failures: Record<number, number>;
  /** Answer latency of each 200, ms. Open loop: from the scheduled send time (no coordinated omission). */
  latenciesMs: Float64Array;
  /** From the first send to the last answer, ms. */
  elapsedMs: number;
  /** performance.now() at the first send (the bench measures processing from here). */
  startedAt: number;
  /** A sample answer body, to check the server answered what it should. */
  sampleBody: string;
}

export interface Target {
  host: string;
  port: number;
}

interface Collector {
  latencies: Float64Array;
  ok: number;
  failures: Record<number, number>;
  sampleBody: string;
  lastAnswerAt: number;
}

function assertLoopback(target: Target): void {
  if (!['127.0.0.1', '::1', 'localhost'].includes(target.host)) {
    throw new Error(`the load generator only targets loopback, not ${target.host}`);
  }
}

function send(
  agent: http.Agent,
  target: Target,
  req: LoadRequest,
  timeoutMs: number,
  onDone: (status: number, body: string) => void,
): void {
  let done = false;
  const finish = (status: number, body: string) => {
    if (done) return;
    done = true;
    onDone(status, body);
  };
  const request = http.request(
    {
      host: target.host,
      port: target.port,
      method: 'POST',
      path: req.path,
      agent,
      headers: { 'content-type': req.contentType, 'content-length': req.body.length },
      timeout: timeoutMs,
    },
    (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      res.on('error', () => finish(0, ''));
    },
  );
  request.on('timeout', () => request.destroy(new Error('timeout')));
  request.on('error', () => finish(0, ''));
  request.end(req.body);
}

function record(c: Collector, status: number, body: string, latencyMs: number): void {
  c.lastAnswerAt = performance.now();
  if (status === 200) {
    c.latencies[c.ok++] = latencyMs;
    if (c.sampleBody === '') c.sampleBody = body;
  } else {
    c.failures[status] = (c.failures[status] ?? 0) + 1;
  }
}

function result(c: Collector, sent: number, startedAt: number): LoadResult {
  return {
    sent,
    ok: c.ok,
    failures: c.failures,
    latenciesMs: c.latencies.slice(0, c.ok),
    elapsedMs: c.lastAnswerAt - startedAt,
    startedAt,
    sampleBody: c.sampleBody,
  };
}

const newCollector = (n: number): Collector => ({
  latencies: new Float64Array(n),
  ok: 0,
  failures: {},
  sampleBody: '',
  lastAnswerAt: 0,
});

/**
 * Sends `requests` at `rate` per second on a fixed schedule, over at most `maxSockets`
 * connections (beyond that, requests wait in the agent and their wait counts as latency),
 * stopping new sends after `maxMs`. Resolves when every sent request is answered.
 */
export function openLoop(
  target: Target,
  requests: LoadRequest[],
  options: { rate: number; maxSockets: number; maxMs: number; timeoutMs: number },
): Promise<LoadResult> {
  assertLoopback(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const c = newCollector(requests.length);
  const interval = 1000 / options.rate;
  return new Promise((resolve) => {
    const startedAt = performance.now();
    let next = 0;
    let answered = 0;
    let stopped = false;
    const settle = () => {
      if (stopped && answered === next) {
        agent.destroy();
        resolve(result(c, next, startedAt));
      }
    };
    const tick = () => {
      const now = performance.now();
      while (next < requests.length && startedAt + next * interval <= now) {
        const scheduled = startedAt + next * interval;
        send(agent, target, requests[next]!, options.timeoutMs, (status, body) => {
          record(c, status, body, performance.now() - scheduled);
          answered++;
          settle();
        });
        next++;
      }
      if (next >= requests.length || now - startedAt >= options.maxMs) {
        stopped = true;
        settle();
        return;
      }
      setTimeout(tick, Math.max(0, Math.min(1, startedAt + next * interval - performance.now())));
    };
    tick();
  });
}

/**
 * Keeps `concurrency` requests in flight until `requests` run out or `maxMs` passed.
 * Resolves when every sent request is answered.
 */
export function closedLoop(
  target: Target,
  requests: LoadRequest[],
  options: { concurrency: number; maxMs: number; timeoutMs: number },
): Promise<LoadResult> {
  assertLoopback(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const c = newCollector(requests.length);
  return new Promise((resolve) => {
    const startedAt = performance.now();
    let next = 0;
    let inFlight = 0;
    const pump = () => {
      while (
        inFlight < options.concurrency &&
        next < requests.length &&
        performance.now() - startedAt < options.maxMs
      ) {
        const sentAt = performance.now();
        inFlight++;
        send(agent, target, requests[next++]!, options.timeoutMs, (status, body) => {
          record(c, status, body, performance.now() - sentAt);
          inFlight--;
          pump();
        });
      }
      if (inFlight === 0) {
        agent.destroy();
        resolve(result(c, next, startedAt));
      }
    };
    pump();
  });
}
