import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

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

/**
 * A `lookup` for net.connect that answers with the checked addresses. Node asks with
 * `all: true` when it races IPv4 and IPv6 (autoSelectFamily), else for one address,
 * possibly of a given family.
 */
export function pinnedLookup(addresses: string[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const usable = addresses
      .map((address) => ({ address, family: isIP(address) }))
      .filter((a) => a.family !== 0 && (!family || a.family === family));
    if (usable.length === 0) {
      const err = Object.assign(
        new Error(`no checked address of ${hostname} fits the connection`),
        { code: 'ENOTFOUND' },
      );
      callback(err, '', 0);
      return;
    }
    if (options.all) (callback as unknown as (e: null, all: typeof usable) => void)(null, usable);
    else callback(null, usable[0]!.address, usable[0]!.family);
  };
}
