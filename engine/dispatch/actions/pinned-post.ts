import http from 'node:http';
import https from 'node:https';
import { pinnedLookup } from '../../outbound/pinned-lookup.ts';

/** Bytes of a webhook receiver's answer read before it is cut off (the status is all we use). */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface PinnedPostRequest {
  url: URL;
  /** The addresses the SSRF check approved; the connection goes to one of these only. */
  addresses: string[];
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/**
 * POSTs to `url` while connecting only to `addresses`, never to a fresh DNS answer: a name
 * that resolves to a public address at check time and to 127.0.0.1 a moment later (DNS
 * rebinding) still reaches the checked address. The URL's host stays in the Host header and
 * in the TLS server name, so virtual hosts and certificates work as with a plain fetch.
 * Redirects are not followed (the status comes back as it is). Resolves with the status.
 */
export function pinnedPost(request: PinnedPostRequest): Promise<number> {
  const { url } = request;
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: pinnedLookup(request.addresses),
        // A fresh connection per delivery: a pooled socket would skip the pinned lookup.
        agent: false,
        signal: AbortSignal.timeout(request.timeoutMs),
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('close', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}
