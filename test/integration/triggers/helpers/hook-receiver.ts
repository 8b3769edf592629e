import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  /** The raw bytes as sent (signatures are over these). */
  body: Buffer;
}

export interface HookReceiver {
  url: string;
  port: number;
  received: ReceivedHook[];
  /** Statuses to answer, in order; once used up, `fallback` is answered. */
  script: number[];
  fallback: number;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1:0 that records every request and answers as scripted. */
export async function startHookReceiver(
  options: { script?: number[]; fallback?: number } = {},
): Promise<HookReceiver> {
  const receiver: Omit<HookReceiver, 'url' | 'port' | 'close'> = {
    received: [],
    script: [...(options.script ?? [])],
    fallback: options.fallback ?? 200,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = receiver.script.shift() ?? receiver.fallback;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
