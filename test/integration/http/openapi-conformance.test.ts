/**
 * The OpenAPI document against a real engine: every admin route the engine serves has an
 * operation, and a representative call of every route (functions, accounts, triggers, tables,
 * records, users, jobs, logs, inbox, the receivers) sends a body the document's request
 * schema accepts and gets an answer its response schema for that status accepts. The
 * schemas are checked with a JSON Schema validator (ajv, draft 2020-12) on the document
 * itself, not with the zod schemas it came from, so a fault in the conversion shows too.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { buildPush } from '../../helpers/wechat-push.ts';
import { finalLogs } from '../triggers/helpers/logs.ts';

type Json = any; // answers are checked against the document, not typed here
interface Operation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

const APP_ID = 'wxconform00000001';
const ACCOUNT = { token: 'conformtoken', encodingAESKey: 'C'.repeat(43) };

let t: TestEngine;
let doc: Document;
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const compiled = new Map<string, ValidateFunction>();
/** `METHOD /template` of every operation a call has exercised. */
const exercised = new Set<string>();

/** A JSON pointer into the document, as a URI fragment ajv resolves. */
const pointer = (...parts: string[]) =>
  '#/' + parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

function validator(ref: string): ValidateFunction {
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi.json${ref}` });
    compiled.set(ref, validate);
  }
  return validate;
}

/** The schema errors of `value` against the schema at `ref`, or [] when it validates. */
function faults(ref: string, value: unknown): string[] {
  const validate = validator(ref);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** The documented path template a concrete path falls under (`/api/v1/functions/{name}`). */
function templateOf(path: string, method: string): string {
  const matches = Object.keys(doc.paths).filter((template) => {
    const pattern = new RegExp(
      '^' +
        template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+') +
        '$',
    );
    return pattern.test(path) && doc.paths[template]![method] !== undefined;
  });
  // The literal template wins over one with a parameter (`/logs/replay` over `/logs/{id}`).
  matches.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  expect(matches[0], `no operation for ${method.toUpperCase()} ${path}`).toBeDefined();
  return matches[0]!;
}

interface Call {
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  query?: Record<string, string>;
  /** A public route: no admin token. */
  anonymous?: boolean;
  /** A body the document must refuse too (the call tests a refusal). */
  invalidBody?: boolean;
}

interface Answer {
  status: number;
  type: string;
  body: Json;
  text: string;
}

/**
 * Makes a real request and checks it against the document: the operation exists, the query
 * names only documented parameters, the body fits the request schema, the status is
 * documented (or falls to `default`) and a JSON answer fits that status's schema.
 */
async function call(method: string, path: string, options: Call = {}): Promise<Answer> {
  const verb = method.toLowerCase();
  const template = templateOf(path, verb);
  const operation = doc.paths[template]![verb]!;
  const documentedQuery = new Set(
    (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
  );
  for (const name of Object.keys(options.query ?? {}))
    expect(documentedQuery, `${method} ${template}: query ${name}`).toContain(name);

  if (options.body !== undefined) {
    expect(operation.requestBody?.content, `${method} ${template} takes no body`).toHaveProperty(
      'application/json',
    );
    const problems = faults(
      pointer('paths', template, verb, 'requestBody', 'content', 'application/json', 'schema'),
      options.body,
    );
    if (options.invalidBody) expect(problems, `${method} ${template} body`).not.toEqual([]);
    else expect(problems, `${method} ${template} body`).toEqual([]);
  }

  const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
  const response = await fetch(`${t.engine.url}${path}${query}`, {
    method,
    headers: {
      ...(options.anonymous ? {} : { authorization: `Bearer ${t.engine.adminToken}` }),
      'content-type': options.contentType ?? 'application/json',
    },
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : options.body === undefined
        ? {}
        : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const status = String(response.status);
  const documented = operation.responses[status] ? status : 'default';
  expect(
    operation.responses[documented],
    `${method} ${template}: status ${status} is not documented`,
  ).toBeDefined();
  if (response.status >= 200 && response.status < 300)
    expect(documented, `${method} ${template}: success ${status} falls to default`).toBe(status);

  const content = operation.responses[documented]!.content;
  let body: Json;
  if (response.status === 204) {
    expect(text).toBe('');
  } else {
    expect(content, `${method} ${template} ${status}: no content documented`).toHaveProperty([
      type,
    ]);
    if (type === 'application/json') {
      body = JSON.parse(text);
      const problems = faults(
        pointer('paths', template, verb, 'responses', documented, 'content', type, 'schema'),
        body,
      );
      expect(problems, `${method} ${template} ${status}: ${text.slice(0, 300)}`).toEqual([]);
    }
  }
  exercised.add(`${method.toUpperCase()} ${template}`);
  return { status: response.status, type, body, text };
}

const admin = (method: string, path: string, options: Call = {}) =>
  call(method, `/api/v1${path}`, options);

beforeAll(async () => {
  t = await startTestEngine();
  const served = await t.api('GET', '/openapi.json');
  expect(served.status).toBe(200);
  doc = served.body;
  ajv.addSchema(doc as object, 'openapi.json');
});

afterAll(async () => {
  await t?.close();
});

describe('the OpenAPI document and the answers of a real engine', () => {
  it('has an operation for every admin route the engine serves', () => {
    const missing = t.engine.adminRoutes
      .map((r) => `${r.method} /api/v1${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`)
      .filter((r) => {
        const [method, path] = r.split(' ');
        return doc.paths[path!]?.[method!.toLowerCase()] === undefined;
      });
    expect(t.engine.adminRoutes.length).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });

  it('fails an answer with a field it does not describe, or without one it requires', async () => {
    const { body } = await admin('GET', '/openapi.json');
    expect(body.openapi).toBe('3.1.0');
    await admin('PUT', '/functions/shape_probe', {
      body: { code: 'exports.main = () => 1' },
    });
    const { body: fn } = await admin('GET', '/functions/shape_probe');
    const ref = pointer(
      'paths',
      '/api/v1/functions/{name}',
      'get',
      'responses',
      '200',
      'content',
      'application/json',
      'schema',
    );
    expect(faults(ref, fn)).toEqual([]);
    expect(faults(ref, { ...fn, surprise: 1 })).not.toEqual([]);
    const { name: _name, ...nameless } = fn;
    expect(faults(ref, nameless)).not.toEqual([]);
    expect(faults(ref, { ...fn, created_at: 'yesterday' })).not.toEqual([]);
    await admin('DELETE', '/functions/shape_probe');
  });

  it('functions, versions, runs and jobs', async () => {
    const code = 'exports.main = async (event) => ({ echo: event.data ?? null })';
    expect(
      (await admin('PUT', '/functions/echo', { body: { code, env: { A: '1' } } })).status,
    ).toBe(201);
    expect(
      (await admin('PUT', '/functions/echo', { body: { code, timeoutMs: 2000 } })).status,
    ).toBe(200);
    await admin('GET', '/functions', { query: { limit: '5' } });
    await admin('GET', '/functions/echo');
    await admin('GET', '/functions/echo/versions');
    await admin('GET', '/functions/echo/versions/active');
    await admin('GET', '/functions/echo/versions/1', { query: { raw: 'true' } });
    await admin('PATCH', '/functions/echo/env', { body: { set: { B: '2' }, unset: ['A'] } });
    await admin('POST', '/functions/echo/rollback', { body: { version: 1 } });
    const ran = await admin('POST', '/functions/echo/invoke', { body: { data: { n: 1 } } });
    expect(ran.body).toMatchObject({ code: 0, data: { echo: { n: 1 } } });
    await admin('PUT', '/functions/thrower', {
      body: { code: 'exports.main = () => { throw new Error("no") }' },
    });
    expect((await admin('POST', '/functions/thrower/invoke', { body: {} })).body.code).toBe(1);
    const jobs = await admin('GET', '/functions/echo/jobs', { query: { status: 'fulfilled' } });
    await admin('GET', `/jobs/${jobs.body.objects[0].id}`);
    await admin('POST', '/functions/echo/test', {
      body: { code: 'exports.main = () => { console.log("draft"); return 2 }', data: {} },
    });
    await admin('POST', '/functions/echo/test', {
      body: { code: 'exports.main = () => { throw new Error("draft") }' },
    });
    expect((await admin('GET', '/functions/nobody')).status).toBe(404);
    expect((await admin('GET', '/jobs/nojob')).status).toBe(404);
    const refused = await admin('PUT', '/functions/echo', {
      body: { code: '', timeoutMs: 1 },
      invalidBody: true,
    });
    expect(refused.status).toBe(400);
    expect((await admin('DELETE', '/functions/thrower', { query: { force: 'true' } })).status).toBe(
      204,
    );
  });

  it('tables, records and users', async () => {
    await admin('POST', '/tables', {
      body: { name: 'books', fields: [{ name: 'title', type: 'string', required: true }] },
    });
    await admin('GET', '/tables', { query: { offset: '0' } });
    await admin('GET', '/tables/books');
    await admin('POST', '/tables/books/fields', {
      body: { fields: [{ name: 'pages', type: 'integer', index: true }] },
    });
    const one = await admin('POST', '/tables/books/records', { body: { title: 'A', pages: 1 } });
    await admin('POST', '/tables/books/records', {
      body: [{ title: 'B' }, { title: 'C', pages: 3 }],
    });
    await admin('GET', '/tables/books/records', {
      query: { where: JSON.stringify({ pages: { $gte: 1 } }), order_by: '-pages', limit: '2' },
    });
    await admin('GET', `/tables/books/records/${one.body.id}`, { query: { keys: 'title' } });
    await admin('PUT', `/tables/books/records/${one.body.id}`, { body: { $inc: { pages: 1 } } });
    await admin('PUT', '/tables/books/records', {
      query: { where: JSON.stringify({ title: 'B' }) },
      body: { pages: 2 },
    });
    expect((await admin('GET', '/tables/books/export')).type).toBe('application/json');
    expect((await admin('GET', '/tables/books/export', { query: { format: 'csv' } })).type).toBe(
      'text/csv',
    );
    await admin('DELETE', `/tables/books/records/${one.body.id}`);
    await admin('DELETE', '/tables/books/records', { query: { where: '{}' } });
    expect((await admin('POST', '/tables/books/records', { body: { nope: 1 } })).status).toBe(400);
    expect((await admin('GET', '/tables/nobooks')).status).toBe(404);

    const user = await admin('POST', '/users', { body: { nickname: 'ann', openid: 'o-ann' } });
    await admin('GET', '/users', { query: { where: '{}' } });
    await admin('GET', `/users/${user.body.id}`);
    await admin('PUT', `/users/${user.body.id}`, { body: { nickname: 'anne' } });
    const asUser = await admin('POST', '/functions/echo/invoke', {
      body: { data: 1, user_id: user.body.id },
    });
    expect(asUser.body.code).toBe(0);
    await admin('DELETE', '/tables/books');
  });

  it('accounts, the signing route and the receiver', async () => {
    await admin('PUT', `/wechat/accounts/${APP_ID}`, { body: { ...ACCOUNT, mode: 'safe' } });
    await admin('GET', '/wechat/accounts');
    await admin('GET', `/wechat/accounts/${APP_ID}`);
    await admin('GET', `/wechat/accounts/${APP_ID}/token-stats`);
    const signed = await admin('POST', `/wechat/accounts/${APP_ID}/sign`, {
      body: {
        body: `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>99</MsgId></xml>`,
      },
    });
    const pushed = await call('POST', `/wechat/${APP_ID}`, {
      anonymous: true,
      query: signed.body.query,
      rawBody: signed.body.body,
      contentType: signed.body.contentType,
    });
    expect(pushed.text).toBe('success');
    await admin('POST', `/wechat/accounts/${APP_ID}/open-reply`, { body: { body: pushed.text } });
    const verify = buildPush({ appId: APP_ID, ...ACCOUNT }, '');
    const echoed = await call('GET', `/wechat/${APP_ID}`, {
      anonymous: true,
      query: { ...Object.fromEntries(verify.query), echostr: 'echo-me' },
    });
    expect(echoed.text).toBe('echo-me');
    expect((await call('GET', '/wechat/wxnobody', { anonymous: true })).status).toBe(404);
    expect((await admin('GET', '/wechat/accounts/wxnobody')).status).toBe(404);
  });

  it('triggers, their logs, replays, incoming webhooks and the inbox', async () => {
    await admin('POST', '/tables', {
      body: { name: 'hits', fields: [{ name: 'n', type: 'integer' }] },
    });
    const definition = {
      name: 'conform_hook',
      type: 'webhook',
      actions: [
        { type: 'function', function: 'echo' },
        { type: 'table', table: 'hits', record: { n: 1 }, frequency: { atMostEvery: '1ms' } },
      ],
      retry: { attempts: 1, backoff: '1s' },
    };
    const dry = await admin('POST', '/triggers', { query: { dryRun: 'true' }, body: definition });
    expect(dry.body.dry_run).toBe(true);
    const created = await admin('POST', '/triggers', { body: definition });
    expect(created.status).toBe(201);
    await admin('PUT', '/triggers/conform_hook', {
      query: { dryRun: 'true' },
      body: { ...definition, description: 'checked' },
    });
    await admin('PUT', '/triggers/conform_hook', { body: { ...definition, description: 'saved' } });
    await admin('GET', '/triggers', { query: { limit: '10' } });
    await admin('GET', '/triggers/conform_hook');
    await admin('PATCH', '/triggers/conform_hook', { body: { enabled: true } });
    const rotated = await admin('POST', '/triggers/conform_hook/rotate-key');
    await admin('POST', '/triggers/conform_hook/test', { body: { data: { x: 1 } } });

    const hooked = await call('POST', `/hooks/${rotated.body.key}`, {
      anonymous: true,
      body: { from: 'conformance' },
    });
    expect(hooked.status).toBe(202);
    expect((await call('POST', '/hooks/hk_wrong', { anonymous: true, body: {} })).status).toBe(404);
    const [log] = await finalLogs(t, 'conform_hook', 2);
    await admin('GET', '/triggers/conform_hook/logs', { query: { status: 'succeeded' } });
    await admin('GET', `/triggers/conform_hook/logs/${log.id}`);
    await admin('GET', '/trigger-logs', { query: { since: '2020-01-01', limit: '5' } });
    await admin('POST', `/triggers/conform_hook/logs/${log.id}/replay`);
    await t.engine.settled();
    await admin('POST', '/triggers/conform_hook/logs/replay', { body: { status: 'dead_letter' } });
    expect((await admin('GET', '/trigger-logs', { query: { status: 'nope' } })).status).toBe(400);

    const inbox = await admin('GET', '/inbox', { query: { status: 'dispatched' } });
    const entry = inbox.body.objects[0];
    await admin('GET', `/inbox/${entry.id}`);
    expect((await admin('POST', `/inbox/${entry.id}/replay`)).status).toBe(409);

    await admin('DELETE', '/triggers/conform_hook');
    expect((await admin('GET', '/triggers/conform_hook')).status).toBe(404);
    await admin('DELETE', '/tables/hits');
    await admin('DELETE', '/functions/echo');
    await admin('DELETE', `/wechat/accounts/${APP_ID}`);
  });

  it('the engine routes: health, metrics and the live log', async () => {
    await call('GET', '/healthz', { anonymous: true });
    await admin('GET', '/metrics', { query: { window: 'day' } });
    const stream = new AbortController();
    const events = await fetch(`${t.engine.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${t.engine.adminToken}` },
      signal: stream.signal,
    });
    const operation = doc.paths['/api/v1/events']!.get!;
    const type = events.headers.get('content-type')!.split(';')[0]!;
    expect(operation.responses[String(events.status)]?.content).toHaveProperty([type]);
    stream.abort();
    exercised.add('GET /api/v1/events');
  });

  it('has exercised every documented operation', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.filter((op) => !exercised.has(op)).sort()).toEqual([]);
  });
});
