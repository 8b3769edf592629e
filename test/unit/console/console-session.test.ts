import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../engine/http/app.ts';

// The console's session layer on a real HTTP server: sign-in, the cookie, Origin and CSRF
// checks on changes, the CSP nonce. The admin API here is one GET and one POST route.
const TOKEN = 'console-test-token';
let server: http.Server;
let base: string;
let changes = 0;

beforeAll(async () => {
  const app = createApp({
    adminToken: TOKEN,
    log: { error: () => undefined },
    ready: () => true,
    public: [],
    admin: [
      (r) => {
        r.get('/things', (ctx) => {
          ctx.body = { changes };
        });
        r.post('/things', (ctx) => {
          changes++;
          ctx.body = { changes };
        });
      },
    ],
  });
  server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function signIn(): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await fetch(`${base}/console/session`, {
    method: 'POST',
    headers: { origin: base, 'content-type': 'application/json' },
    body: JSON.stringify({ token: TOKEN }),
  });
  expect(res.status).toBe(201);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { csrf: string };
  return { cookie: setCookie.split(';')[0]!, csrf: body.csrf, setCookie };
}

describe('console sign-in', () => {
  it('exchanges the admin token for an HttpOnly, SameSite=Strict cookie and a CSRF value', async () => {
    const { cookie, csrf, setCookie } = await signIn();
    expect(cookie).toMatch(/^cloudfn_session=[\w-]{40,}$/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/);
    expect(setCookie).not.toContain(TOKEN);
    expect(csrf.length).toBeGreaterThan(20);
    const again = await fetch(`${base}/console/session`, { headers: { cookie } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ signedIn: true, csrf });
    const none = await fetch(`${base}/console/session`);
    expect(await none.json()).toEqual({ signedIn: false });
  });

  it('marks the cookie Secure behind a proxy that says HTTPS', async () => {
    const res = await fetch(`${base}/console/session`, {
      method: 'POST',
      headers: {
        origin: base.replace('http:', 'https:'),
        'x-forwarded-proto': 'https',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('refuses a wrong token, and a sign-in from another origin', async () => {
    const wrong = await fetch(`${base}/console/session`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'nope' }),
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as any).error.code).toBe('E_UNAUTHORIZED');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const foreign = await fetch(`${base}/console/session`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as any).error.code).toBe('E_CONSOLE_ORIGIN');
  });
});

describe('admin API with the console cookie', () => {
  it('reads with the cookie alone', async () => {
    const { cookie } = await signIn();
    const res = await fetch(`${base}/api/v1/things`, { headers: { cookie } });
    expect(res.status).toBe(200);
  });

  it('refuses a cross-origin POST carrying the cookie, and changes nothing', async () => {
    const { cookie, csrf } = await signIn();
    const before = changes;
    const res = await fetch(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'x-cloudfn-csrf': csrf },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe('E_CONSOLE_ORIGIN');
    const noOrigin = await fetch(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { cookie, 'x-cloudfn-csrf': csrf },
    });
    expect(noOrigin.status).toBe(403);
    expect(changes).toBe(before);
  });

  it('refuses a same-origin POST without the CSRF header or with another value', async () => {
    const { cookie, csrf } = await signIn();
    const before = changes;
    const none = await fetch(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { cookie, origin: base },
    });
    expect(none.status).toBe(403);
    expect(((await none.json()) as any).error.code).toBe('E_CONSOLE_CSRF');
    const other = await fetch(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { cookie, origin: base, 'x-cloudfn-csrf': `${csrf}x` },
    });
    expect(other.status).toBe(403);
    expect(changes).toBe(before);
    const ok = await fetch(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { cookie, origin: base, 'x-cloudfn-csrf': csrf },
    });
    expect(ok.status).toBe(200);
    expect(changes).toBe(before + 1);
  });

  it('keeps the bearer token working without cookie, Origin or CSRF (the CLI)', async () => {
    const res = await fetch(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    const wrong = await fetch(`${base}/api/v1/things`, {
      headers: { authorization: 'Bearer wrong', cookie: (await signIn()).cookie },
    });
    expect(wrong.status).toBe(401);
  });

  it('ends the session on sign-out', async () => {
    const { cookie, csrf } = await signIn();
    const out = await fetch(`${base}/console/session`, {
      method: 'DELETE',
      headers: { cookie, origin: base, 'x-cloudfn-csrf': csrf },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    const after = await fetch(`${base}/api/v1/things`, { headers: { cookie } });
    expect(after.status).toBe(401);
  });

  it('refuses an unknown cookie', async () => {
    const res = await fetch(`${base}/api/v1/things`, {
      headers: { cookie: 'cloudfn_session=made-up' },
    });
    expect(res.status).toBe(401);
  });
});

describe('console pages', () => {
  it('serves the page under a strict CSP with a fresh nonce each response', async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/console`);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeTruthy();
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      const html = await res.text();
      expect(html).toContain(`nonce="${nonce}"`);
      expect(html).not.toContain('__CSP_NONCE__');
      nonces.push(nonce!);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it('serves only the built assets, gzipped and immutable', async () => {
    const html = await (await fetch(`${base}/console`)).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const res = await fetch(`${base}${script}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/console/assets/../../package.json`)).status).toBe(404);
    expect((await fetch(`${base}/console/assets/nope.js`)).status).toBe(404);
  });
});
