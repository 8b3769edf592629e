// HTTP out from functions on a real engine: BaaS.request (axios-shaped, as MinCloud's) and
// fetch reach a local server only when CLOUDFN_OUTBOUND_ALLOW_PRIVATE allows private targets;
// redirects are followed by the engine; each request is one job-log line without headers or
// bodies; per-run limits hold.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { deploy, invoke } from './setup.ts';

let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/redirect') {
        res.writeHead(302, { location: '/echo?from=redirect' }).end();
      } else if (url.pathname === '/to-file') {
        res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      } else if (url.pathname === '/missing') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"nope"}');
      } else if (url.pathname === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5000));
      } else if (url.pathname === '/bytes') {
        res
          .writeHead(200, { 'content-type': 'application/octet-stream' })
          .end(Buffer.from([0, 1, 254, 255]));
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'x-answer': 'yes' }).end(
          JSON.stringify({
            method: req.method,
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            contentType: req.headers['content-type'] ?? null,
            secret: req.headers['x-secret'] ?? null,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('with CLOUDFN_OUTBOUND_ALLOW_PRIVATE=1', () => {
  it('BaaS.request: JSON in and out, params, headers, axios errors for 4xx', async () => {
    t = await startTestEngine({ env: { CLOUDFN_OUTBOUND_ALLOW_PRIVATE: '1' } });
    await deploy(
      t,
      'req',
      `exports.main = async (event) => {
        const base = event.data.base;
        const posted = await BaaS.request.post(base + '/echo', { a: 1 }, { headers: { 'X-Secret': 's3' } });
        const got = await BaaS.request({ url: base + '/echo', params: { q: '中文' }, timeout: 5000 });
        let notFound;
        try { await BaaS.request.get(base + '/missing'); } catch (e) {
          notFound = { message: e.message, code: e.code, status: e.response.status, data: e.response.data };
        }
        return { posted: { status: posted.status, data: posted.data, answer: posted.headers['x-answer'] },
                 got: got.data, notFound };
      }`,
    );
    const answer = await invoke(t, 'req', { base });
    expect(answer.status).toBe('fulfilled');
    expect(answer.data).toEqual({
      posted: {
        status: 200,
        answer: 'yes',
        data: {
          method: 'POST',
          path: '/echo',
          query: {},
          contentType: 'application/json',
          secret: 's3',
          body: '{"a":1}',
        },
      },
      got: {
        method: 'GET',
        path: '/echo',
        query: { q: '中文' },
        contentType: null,
        secret: null,
        body: '',
      },
      notFound: {
        message: 'Request failed with status code 404',
        code: 'ERR_BAD_REQUEST',
        status: 404,
        data: { error: 'nope' },
      },
    });
    // One line per request: method, host, status, ms; never headers or bodies.
    const host = base.slice('http://'.length);
    const lines = answer.log.map((l) => l.message);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^\\[http\\] POST ${host} 200 \\d+ ms$`));
    expect(lines[2]).toMatch(new RegExp(`^\\[http\\] GET ${host} 404 \\d+ ms$`));
    expect(JSON.stringify(answer.log)).not.toContain('s3');
  });

  it('fetch: Response with status, ok, headers, text/json/arrayBuffer; redirects followed', async () => {
    t = await startTestEngine({ env: { CLOUDFN_OUTBOUND_ALLOW_PRIVATE: '1' } });
    await deploy(
      t,
      'fetcher',
      `exports.main = async (event) => {
        const base = event.data.base;
        const r = await fetch(base + '/redirect', { headers: new Headers({ 'x-secret': 'f' }) });
        const json = await r.json();
        let reread;
        try { await r.text(); } catch (e) { reread = e.message; }
        const sent = await fetch(base + '/echo', { method: 'PUT', body: 'plain text' });
        const bytes = new Uint8Array(await (await fetch(base + '/bytes')).arrayBuffer());
        let fileRedirect;
        try { await fetch(base + '/to-file'); } catch (e) { fileRedirect = e.reason; }
        const made = new Response('made here', { status: 201, headers: { 'X-A': '1' } });
        const own = [made.status, made.ok, made.headers.get('x-a'), await made.text()];
        return { own, status: r.status, ok: r.ok, redirected: r.redirected, url: r.url,
                 type: r.headers.get('Content-Type'), json, reread,
                 sent: await sent.json(), bytes: Array.from(bytes), fileRedirect };
      }`,
    );
    const answer = await invoke(t, 'fetcher', { base });
    expect(answer.status).toBe('fulfilled');
    expect(answer.data).toMatchObject({
      own: [201, true, '1', 'made here'],
      status: 200,
      ok: true,
      redirected: true,
      url: `${base}/echo?from=redirect`,
      type: 'application/json',
      json: { method: 'GET', query: { from: 'redirect' }, secret: 'f' },
      reread: 'Body is unusable: Body has already been read',
      sent: { method: 'PUT', contentType: 'text/plain;charset=UTF-8', body: 'plain text' },
      bytes: [0, 1, 254, 255],
      fileRedirect: 'E_OUTBOUND_FORBIDDEN',
    });
  });

  it('per-run limits: requests and bytes of answers', async () => {
    t = await startTestEngine({
      env: {
        CLOUDFN_OUTBOUND_ALLOW_PRIVATE: '1',
        CLOUDFN_OUTBOUND_MAX_REQUESTS: '2',
        CLOUDFN_OUTBOUND_MAX_RESPONSE_BYTES: '4096',
      },
    });
    await deploy(
      t,
      'limits',
      `exports.main = async (event) => {
        const out = [];
        for (const path of ['/big', '/echo', '/echo']) {
          try { const r = await fetch(event.data.base + path); out.push(r.status); }
          catch (e) { out.push(e.reason); }
        }
        return out;
      }`,
    );
    const answer = await invoke(t, 'limits', { base });
    expect(answer.data).toEqual(['E_OUTBOUND_TOO_LARGE', 200, 'E_OUTBOUND_LIMIT']);
    // A new run starts with fresh limits.
    expect((await invoke(t, 'limits', { base })).data).toEqual([
      'E_OUTBOUND_TOO_LARGE',
      200,
      'E_OUTBOUND_LIMIT',
    ]);
  });
});

describe('without the setting', () => {
  it('refuses loopback targets for BaaS.request and fetch (SSRF guard)', async () => {
    t = await startTestEngine();
    await deploy(
      t,
      'ssrf',
      `exports.main = async (event) => {
        const out = [];
        for (const call of [() => BaaS.request.get(event.data.base + '/echo'),
                            () => fetch(event.data.base + '/echo'),
                            () => fetch('http://localhost:1/'),
                            () => fetch('http://169.254.169.254/latest/meta-data/')]) {
          try { await call(); out.push('sent'); } catch (e) { out.push(e.reason); }
        }
        return out;
      }`,
    );
    const answer = await invoke(t, 'ssrf', { base });
    expect(answer.data).toEqual(Array(4).fill('E_OUTBOUND_FORBIDDEN'));
  });

  it('CLOUDFN_WEBHOOK_ALLOW_PRIVATE, the older name, allows them too', async () => {
    t = await startTestEngine({ env: { CLOUDFN_WEBHOOK_ALLOW_PRIVATE: '1' } });
    await deploy(
      t,
      'old',
      `exports.main = async (event) => (await fetch(event.data.base + '/echo')).status`,
    );
    expect((await invoke(t, 'old', { base })).data).toBe(200);
  });
});
