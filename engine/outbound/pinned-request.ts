import http from 'node:http';
import https from 'node:https';
import { OutboundError } from './errors.ts';
import { pinnedLookup } from './pinned-lookup.ts';

export interface PinnedRequest {
  url: URL;
  /** The addresses the SSRF check approved; the connection goes to one of these only. */
  addresses: string[];
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  /** The answer is cut off (E_OUTBOUND_TOO_LARGE) past this many bytes. */
  maxBytes: number;
}

export interface PinnedResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * One HTTP exchange that connects only to checked addresses (DNS rebinding cannot redirect
 * it; see pinned-lookup.ts), never follows redirects (the caller re-checks each hop), reads
 * at most `maxBytes` of the answer, and gives up after `timeoutMs` in all.
 */
export function pinnedRequest(request: PinnedRequest): Promise<PinnedResponse> {
  const { url } = request;
  const send = url.protocol === 'https:' ? https.request : http.request;
  const host = url.host;
  return new Promise((resolve, reject) => {
    const signal = AbortSignal.timeout(request.timeoutMs);
    const req = send(
      url,
      {
        method: request.method,
        headers: {
          ...request.headers,
          ...(request.body === undefined ? {} : { 'content-length': String(request.body.length) }),
        },
        lookup: pinnedLookup(request.addresses),
        agent: false, // a pooled socket would skip the pinned lookup
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > request.maxBytes) {
            res.destroy();
            reject(
              new OutboundError(
                'E_OUTBOUND_TOO_LARGE',
                `The answer of ${host} is over ${request.maxBytes} bytes (the run's limit left)`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined)
              headers[name] = Array.isArray(value) ? value.join(', ') : value;
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers,
            body: Buffer.concat(chunks),
          });
        });
        res.on('error', (err) => reject(failure(err, host, signal, request.timeoutMs)));
      },
    );
    req.on('error', (err) => reject(failure(err, host, signal, request.timeoutMs)));
    req.end(request.body);
  });
}

function failure(err: Error, host: string, signal: AbortSignal, timeoutMs: number): Error {
  if (err instanceof OutboundError) return err;
  if (signal.aborted)
    return new OutboundError('E_OUTBOUND_TIMEOUT', `${host} did not answer within ${timeoutMs} ms`);
  return new OutboundError(
    'E_OUTBOUND_UNREACHABLE',
    `${host} could not be reached (${(err as NodeJS.ErrnoException).code ?? err.message})`,
  );
}
