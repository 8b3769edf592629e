// The redirect handling of functions' outgoing HTTP: every hop is checked again by the SSRF
// guard, so a public host that redirects to loopback or a private network is refused before
// the second connection. The hosts are played by a transport of the test's own (the machine
// has no public network); DNS answers come from the test's lookup.
import { describe, expect, it } from 'vitest';
import type { HostRequestScope } from '../../../runtime/sandbox.ts';
import { createHttpHostRequest } from '../../../engine/outbound/http-host-request.ts';
import type { PinnedRequest, PinnedResponse } from '../../../engine/outbound/pinned-request.ts';

const DNS: Record<string, string[]> = {
  'public.example': ['93.184.216.34'],
  'other.example': ['93.184.216.35'],
  'internal.example': ['10.0.0.5'],
};

function scope(): HostRequestScope & { lines: string[] } {
  const lines: string[] = [];
  return {
    functionName: 'f',
    jobId: 'j',
    eventData: {},
    deadlineAt: Number.MAX_SAFE_INTEGER,
    state: new Map(),
    log: (_level, message) => void lines.push(message),
    lines,
  };
}

/** Hosts that answer from a table: path → [status, location?]. */
function hosts(routes: Record<string, [number, string?]>) {
  const seen: PinnedRequest[] = [];
  const transport = async (request: PinnedRequest): Promise<PinnedResponse> => {
    seen.push(request);
    const [status, location] = routes[request.url.href] ?? [404];
    return {
      status,
      statusText: '',
      headers: location ? { location } : { 'content-type': 'text/plain' },
      body: Buffer.from('fine'),
    };
  };
  return { seen, transport };
}

const handler = (transport: (r: PinnedRequest) => Promise<PinnedResponse>) =>
  createHttpHostRequest({
    allowPrivate: false,
    clock: { now: () => 0 },
    lookup: async (host) => DNS[host] ?? [],
    transport,
  });

describe('redirects, each hop checked again', () => {
  it.each([
    ['loopback by address', 'http://127.0.0.1:8080/admin'],
    ['loopback by name', 'http://localhost/admin'],
    ['a private network by DNS', 'http://internal.example/'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['another scheme', 'file:///etc/passwd'],
  ])('a redirect to %s is refused before it is followed', async (_what, location) => {
    const { seen, transport } = hosts({ 'http://public.example/go': [302, location] });
    const s = scope();
    const lookupLocalhost = createHttpHostRequest({
      allowPrivate: false,
      clock: { now: () => 0 },
      lookup: async (host) => (host === 'localhost' ? ['127.0.0.1'] : (DNS[host] ?? [])),
      transport,
    });
    await expect(
      lookupLocalhost({ url: 'http://public.example/go', method: 'GET', headers: {} }, s),
    ).rejects.toMatchObject({ code: 'E_OUTBOUND_FORBIDDEN' });
    expect(seen.map((r) => r.url.href)).toEqual(['http://public.example/go']);
    expect(s.lines).toEqual(['[http] GET public.example 302 0 ms']);
  });

  it('follows public redirects, connects to the checked address, drops credentials across origins', async () => {
    const { seen, transport } = hosts({
      'http://public.example/a': [307, '/b'],
      'http://public.example/b': [303, 'http://other.example/c'],
      'http://other.example/c': [200],
    });
    const answer = (await handler(transport)(
      {
        url: 'http://public.example/a',
        method: 'POST',
        headers: { authorization: 'Bearer x', 'content-type': 'application/json', host: 'evil' },
        body: Buffer.from('{}').toString('base64'),
      },
      scope(),
    )) as { status: number; url: string; redirected: boolean; body: string };
    expect(answer).toMatchObject({ status: 200, url: 'http://other.example/c', redirected: true });
    expect(Buffer.from(answer.body, 'base64').toString()).toBe('fine');
    expect(seen.map((r) => [r.url.href, r.method, r.addresses, r.body?.toString()])).toEqual([
      ['http://public.example/a', 'POST', ['93.184.216.34'], '{}'],
      ['http://public.example/b', 'POST', ['93.184.216.34'], '{}'], // 307 keeps method and body
      ['http://other.example/c', 'GET', ['93.184.216.35'], undefined], // 303 → GET, no body
    ]);
    expect(seen[0]!.headers).toEqual({
      authorization: 'Bearer x',
      'content-type': 'application/json',
    });
    expect(seen[2]!.headers).toEqual({}); // other origin: no credentials; GET: no content headers
  });

  it('redirect: "manual" returns the 3xx; "error" refuses it; more than 5 hops are refused', async () => {
    const loop = hosts({ 'http://public.example/loop': [302, '/loop'] });
    const manual = (await handler(loop.transport)(
      { url: 'http://public.example/loop', method: 'GET', headers: {}, redirect: 'manual' },
      scope(),
    )) as { status: number };
    expect(manual.status).toBe(302);
    await expect(
      handler(loop.transport)(
        { url: 'http://public.example/loop', method: 'GET', headers: {}, redirect: 'error' },
        scope(),
      ),
    ).rejects.toMatchObject({ code: 'E_OUTBOUND_REDIRECT' });
    await expect(
      handler(loop.transport)(
        { url: 'http://public.example/loop', method: 'GET', headers: {} },
        scope(),
      ),
    ).rejects.toMatchObject({ code: 'E_OUTBOUND_REDIRECT', message: 'More than 5 redirects' });
  });

  it('hops count towards the per-run request limit', async () => {
    const loop = hosts({ 'http://public.example/loop': [302, '/loop'] });
    const limited = createHttpHostRequest({
      allowPrivate: false,
      clock: { now: () => 0 },
      lookup: async (host) => DNS[host] ?? [],
      transport: loop.transport,
      limits: { maxRequests: 3 },
    });
    await expect(
      limited({ url: 'http://public.example/loop', method: 'GET', headers: {} }, scope()),
    ).rejects.toMatchObject({ code: 'E_OUTBOUND_LIMIT' });
    expect(loop.seen).toHaveLength(3);
  });

  it('a run past its deadline makes no request (E_OUTBOUND_TIMEOUT)', async () => {
    const { seen, transport } = hosts({ 'http://public.example/a': [200] });
    const late = { ...scope(), deadlineAt: Date.now() - 1 };
    await expect(
      handler(transport)({ url: 'http://public.example/a', method: 'GET', headers: {} }, late),
    ).rejects.toMatchObject({ code: 'E_OUTBOUND_TIMEOUT' });
    expect(seen).toHaveLength(0);
  });
});
