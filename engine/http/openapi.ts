/**
 * The OpenAPI 3.1 document of the engine's HTTP API (SPEC §2, §3, §4), served at
 * GET /api/v1/openapi.json behind the admin token. Written by hand from the routes;
 * test/integration/cli/openapi.test.ts walks the koa routers of a real engine and fails when
 * a route is missing here or documented but not served, so the two cannot drift apart.
 *
 * This file is long because it is a catalogue: one entry per route, built with the small
 * helpers at the top.
 */
import type Router from '@koa/router';
import { FIELD_TYPES } from '../tables/schema.ts';

type Schema = Record<string, unknown>;
type Operation = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string): Schema => ({
  type: 'string',
  ...(description ? { description } : {}),
});
const int = (description?: string): Schema => ({
  type: 'integer',
  ...(description ? { description } : {}),
});
const obj = (
  properties: Record<string, Schema>,
  required: string[] = [],
  extra: Schema = {},
): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  ...extra,
});
const list = (item: string): Schema =>
  obj({ meta: ref('ListMeta'), objects: { type: 'array', items: ref(item) } }, ['meta', 'objects']);
const isoTime = (description?: string): Schema => ({
  type: ['string', 'null'],
  format: 'date-time',
  ...(description ? { description } : {}),
});

const json = (schema: Schema) => ({ 'application/json': { schema } });
const ok = (description: string, schema?: Schema, status = '200') => ({
  [status]: { description, ...(schema ? { content: json(schema) } : {}) },
});
const noContent = { '204': { description: 'Done; no body.' } };
const error = (status: string, description: string) => ({
  [status]: { description, content: json(ref('Error')) },
});
const refused = {
  ...error('400', 'Invalid input (E_INVALID_BODY, E_INVALID_QUERY, …).'),
  ...error('401', 'No or wrong admin token (E_UNAUTHORIZED).'),
};
const unknown = error('404', 'No such thing (E_…_NOT_FOUND).');
const inUse = error(
  '409',
  'Triggers name it (E_IN_USE, details.triggers); ?force=true deletes anyway.',
);

const pathParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description,
});
const queryParam = (name: string, description: string, schema: Schema = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});
const FORCE = queryParam(
  'force',
  'true: delete even if triggers name it (their firings then dead-letter).',
  { type: 'string', enum: ['true', 'false'] },
);
const DRY_RUN = queryParam(
  'dryRun',
  'true: validate (references and webhook targets included) and answer {dry_run, trigger} without saving.',
  { type: 'string', enum: ['true', 'false'] },
);
const paging = [
  queryParam('limit', 'Page size (default 20, at most 1000).', {
    type: 'integer',
    minimum: 0,
    maximum: 1000,
  }),
  queryParam('offset', 'Rows to skip.', { type: 'integer', minimum: 0 }),
];
const body = (schema: Schema, description?: string) => ({
  required: true,
  content: json(schema),
  ...(description ? { description } : {}),
});

function op(tag: string, summary: string, fields: Operation): Operation {
  return { tags: [tag], summary, ...fields };
}

const logFilters = [
  queryParam('status', 'Only this status.', {
    enum: ['pending', 'succeeded', 'failed', 'dead_letter'],
  }),
  queryParam('since', 'Fired at or after: ISO-8601 or unix ms.'),
  queryParam('until', 'Fired before: ISO-8601 or unix ms.'),
  queryParam('msgId', "The push's MsgId / MsgID."),
  queryParam('fromUserName', "The push's FromUserName (openid)."),
  queryParam('event', "The push's Event."),
];
const NAME = pathParam('name', 'The function or trigger name.');
const TABLE = pathParam('t', 'The table, by integer id or name.');
const APP_ID = pathParam('appId', 'The WeChat AppID (wx…).');

const schemas: Record<string, Schema> = {
  Error: obj(
    {
      error: obj(
        { code: str('Stable E_… code, listed in docs/errors.md.'), message: str() },
        ['code', 'message'],
        {
          additionalProperties: true,
        },
      ),
    },
    ['error'],
  ),
  ListMeta: obj({ limit: int(), offset: int(), total_count: int() }, [
    'limit',
    'offset',
    'total_count',
  ]),
  Account: obj(
    {
      appId: str(),
      mode: { enum: ['plain', 'compatible', 'safe'] },
      hasEncodingAESKey: { type: 'boolean' },
      hasPreviousEncodingAESKey: { type: 'boolean' },
      hasAppSecret: { type: 'boolean' },
      created_at: isoTime(),
      updated_at: isoTime(),
    },
    ['appId', 'mode'],
  ),
  AccountInput: obj(
    {
      token: str('The Token (令牌) of 服务器配置.'),
      encodingAESKey: str('The EncodingAESKey (43 characters); never echoed back.'),
      mode: { enum: ['plain', 'compatible', 'safe'] },
      appSecret: {
        type: ['string', 'null'],
        description:
          'The AppSecret, for WeChat API calls from functions; never echoed back. Absent keeps it, null removes it.',
      },
    },
    ['token'],
    { additionalProperties: false },
  ),
  SignInput: obj(
    {
      body: str('The plaintext push, XML or JSON.'),
      encrypt: { type: 'boolean', description: "Default: the account's mode decides." },
      timestamp: str('Unix seconds; default now.'),
      nonce: str(),
    },
    ['body'],
    { additionalProperties: false },
  ),
  SignedPush: obj(
    {
      query: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description:
          'signature, timestamp, nonce, openid, and encrypt_type + msg_signature when encrypted.',
      },
      body: str('The body to POST to /wechat/{appId}.'),
      contentType: str(),
    },
    ['query', 'body', 'contentType'],
  ),
  Function: obj(
    {
      name: str(),
      version: int('The active version.'),
      sha256: str(),
      timeoutMs: int(),
      memoryMb: int(),
      env: { type: 'array', items: str(), description: 'Names only: values are never echoed.' },
      created_at: isoTime(),
      updated_at: isoTime(),
    },
    ['name', 'version'],
  ),
  FunctionVersion: obj(
    {
      name: str(),
      version: int(),
      sha256: str(),
      timeoutMs: int(),
      memoryMb: int(),
      env: { type: 'array', items: str() },
      created_at: isoTime(),
    },
    ['name', 'version'],
  ),
  DeployInput: obj(
    {
      code: str('The function source (JavaScript or TypeScript), bundled by the engine.'),
      filename: str('Names the source in stack traces; its extension picks the loader (.ts).'),
      timeoutMs: {
        type: 'integer',
        minimum: 100,
        maximum: 900000,
        description: "Left out: the active version's, or 5000 for a first deploy.",
      },
      memoryMb: {
        type: 'integer',
        minimum: 8,
        maximum: 2048,
        description: "Left out: the active version's, or 128 for a first deploy.",
      },
      env: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: "Left out: the active version's env is kept.",
      },
    },
    ['code'],
    { additionalProperties: false },
  ),
  InvokeResult: obj(
    {
      code: { enum: [0, 1] },
      data: {},
      error: { type: 'object' },
      job_id: str(),
      status: str(),
      duration_ms: { type: 'number' },
      memory_bytes: { type: 'number' },
      log: { type: 'array', items: ref('LogLine') },
    },
    ['code', 'data', 'error', 'job_id'],
  ),
  LogLine: obj(
    { level: { enum: ['log', 'info', 'warn', 'error'] }, message: str(), at: int('Unix ms.') },
    ['level', 'message'],
  ),
  Job: obj(
    {
      id: str(),
      function: str(),
      version: int(),
      source: str(),
      status: {
        enum: [
          'waiting',
          'executing',
          'fulfilled',
          'execution_failed',
          'deadline_exceeded',
          'execution_rejected',
        ],
      },
      created_at: isoTime(),
      finished_at: isoTime(),
      duration_ms: { type: ['number', 'null'] },
      cpu_ms: { type: ['number', 'null'] },
      memory_bytes: { type: ['number', 'null'] },
      trigger: { type: ['string', 'null'] },
      trigger_log_id: { type: ['string', 'null'] },
      data: {},
      result: {},
      error: { type: ['object', 'null'] },
      log: { type: 'array', items: ref('LogLine') },
    },
    ['id', 'function', 'source', 'status', 'created_at'],
  ),
  Field: obj(
    {
      name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,31}$' },
      // The types the schema checker accepts, so the description cannot drift from them.
      type: { enum: [...FIELD_TYPES] },
      required: { type: 'boolean' },
      default: {},
      items: str('Element type of an array field.'),
      maxLength: int(),
      index: { type: 'boolean' },
      to: str('For a pointer field: the table it points at (or _userprofile).'),
    },
    ['name', 'type'],
  ),
  Table: obj(
    {
      id: int(),
      name: str(),
      fields: { type: 'array', items: ref('Field') },
      created_at: isoTime(),
      updated_at: isoTime(),
    },
    ['id', 'name', 'fields'],
  ),
  TableInput: obj({ name: str(), fields: { type: 'array', items: ref('Field') } }, ['name'], {
    additionalProperties: false,
  }),
  Record: obj(
    {
      id: str('24 hex characters.'),
      created_at: int('Unix seconds.'),
      updated_at: int('Unix seconds.'),
      created_by: {},
    },
    ['id'],
    { additionalProperties: true },
  ),
  RecordList: obj(
    {
      meta: obj({
        limit: int(),
        offset: int(),
        next: { type: ['string', 'null'] },
        previous: { type: ['string', 'null'] },
        total_count: int(),
      }),
      objects: { type: 'array', items: ref('Record') },
    },
    ['meta', 'objects'],
  ),
  BulkResult: obj(
    {
      succeed: int(),
      total_count: int(),
      operation_result: { type: 'array', items: { type: 'object' } },
    },
    [],
    {
      additionalProperties: true,
    },
  ),
  Trigger: obj(
    {
      name: str(),
      type: { enum: ['wechat_message', 'table', 'timer', 'webhook'] },
      enabled: { type: 'boolean' },
      condition: {
        type: 'object',
        description:
          'wechat_message: {appId, match, rules}; table: {table, on, rules}; timer: {cron, timezone}; webhook: {rules}.',
      },
      actions: {
        type: 'array',
        items: { type: 'object', description: '{type: function|table|webhook, …, frequency?}' },
      },
      retry: obj({ attempts: int(), backoff: str() }),
      reply: { type: 'boolean', description: 'A passive-reply wechat_message trigger.' },
      key: str(
        'The incoming-webhook key (webhook triggers): POST /hooks/{key}. Only in the answers of create and rotate-key.',
      ),
      hook_path: str('Only with key.'),
      key_hint: str('The key\'s last 4 characters, "…abcd" (webhook triggers).'),
      created_at: isoTime(),
      updated_at: isoTime(),
    },
    ['name', 'type'],
    { additionalProperties: true },
  ),
  TriggerTest: obj(
    {
      trigger: str(),
      enabled: { type: 'boolean' },
      matched: { type: 'boolean' },
      reasons: { type: 'array', items: str(), description: 'Why not, in words.' },
      actions: {
        type: 'array',
        items: { type: 'object' },
        description: 'What each action would do.',
      },
      rules: {
        type: 'array',
        items: obj({
          index: int(),
          field: str(),
          op: str(),
          value: {},
          actual: {},
          matched: { type: 'boolean' },
          reason: str(),
        }),
      },
    },
    ['trigger', 'matched', 'rules'],
  ),
  TriggerLog: obj(
    {
      id: str(),
      trigger: str(),
      triggered_at: isoTime(),
      updated_at: isoTime(),
      event_id: { type: ['string', 'null'], description: 'The accepted event (inbox id).' },
      event: {},
      action: { type: 'object' },
      status: { enum: ['pending', 'succeeded', 'failed', 'dead_letter'] },
      attempts: int(),
      error_type: { type: ['string', 'null'] },
      error: { type: ['string', 'null'] },
      job_id: { type: ['string', 'null'] },
      duration_ms: { type: ['number', 'null'] },
    },
    ['id', 'trigger', 'triggered_at', 'status', 'attempts'],
  ),
  InboxEntry: obj(
    {
      id: str('The event id (event_id of its trigger logs; the id POST /hooks/:key answers).'),
      source: { enum: ['wechat_message', 'webhook', 'timer', 'table'] },
      key: str('appId for pushes, trigger name for webhooks and timers, table for changes.'),
      received_at: isoTime(),
      status: { enum: ['pending', 'dispatched', 'dispatch_failed'] },
      error: { type: ['string', 'null'], description: 'Why its dispatch failed.' },
      failed_at: isoTime(),
    },
    ['id', 'source', 'key', 'received_at', 'status'],
  ),
};

const admin = (path: string) => `/api/v1${path}`;

const paths: Record<string, Record<string, Operation>> = {
  '/healthz': {
    get: op('engine', 'Liveness: 200 {"status":"ok"} once the engine accepts work, 503 before.', {
      security: [],
      responses: {
        ...ok('Accepting work.', obj({ status: str() })),
        '503': { description: 'Starting or stopping.' },
      },
    }),
  },
  '/wechat/{appId}': {
    get: op('wechat', 'WeChat URL verification: answers echostr when the signature is right.', {
      security: [],
      parameters: [
        APP_ID,
        ...['signature', 'timestamp', 'nonce', 'echostr'].map((n) =>
          queryParam(n, `WeChat's ${n}.`),
        ),
      ],
      responses: {
        '200': {
          description: 'The echostr, text/plain.',
          content: { 'text/plain': { schema: str() } },
        },
        ...error('401', 'Bad signature.'),
        ...unknown,
      },
    }),
    post: op(
      'wechat',
      'A WeChat push (plaintext, compatible or safe mode); answered "success" or a passive reply.',
      {
        security: [],
        parameters: [
          APP_ID,
          ...['signature', 'timestamp', 'nonce', 'openid', 'encrypt_type', 'msg_signature'].map(
            (n) => queryParam(n, `WeChat's ${n}.`),
          ),
        ],
        requestBody: {
          required: true,
          content: {
            'text/xml': { schema: str() },
            'application/json': { schema: { type: 'object' } },
          },
        },
        responses: {
          '200': {
            description: '"success", or the passive reply XML/JSON.',
            content: { 'text/plain': { schema: str() }, 'text/xml': { schema: str() } },
          },
          ...error('400', 'Malformed body.'),
          ...error('401', 'Bad signature or stale timestamp.'),
          ...unknown,
          ...error('413', 'Body over 1 MiB.'),
        },
      },
    ),
  },
  '/hooks/{key}': {
    post: op('triggers', 'An incoming webhook: fires the webhook trigger whose key this is.', {
      security: [],
      parameters: [pathParam('key', 'The trigger key returned on create.')],
      requestBody: body({ type: 'object' }),
      responses: {
        '202': { description: 'Accepted; the trigger runs after.' },
        ...error('400', 'The body is not a JSON object.'),
        ...unknown,
      },
    }),
  },
  [admin('/openapi.json')]: {
    get: op('engine', 'This document.', { responses: ok('OpenAPI 3.1.', { type: 'object' }) }),
  },

  [admin('/wechat/accounts')]: {
    get: op('accounts', 'Registered WeChat accounts (keys never shown).', {
      responses: { ...ok('Accounts.', list('Account')), ...refused },
    }),
  },
  [admin('/wechat/accounts/{appId}')]: {
    put: op(
      'accounts',
      'Register or update an account; a new EncodingAESKey keeps the previous one for rotation.',
      {
        parameters: [APP_ID],
        requestBody: body(ref('AccountInput')),
        responses: { ...ok('The account.', ref('Account')), ...refused },
      },
    ),
    get: op('accounts', 'One account.', {
      parameters: [APP_ID],
      responses: { ...ok('The account.', ref('Account')), ...refused, ...unknown },
    }),
    delete: op('accounts', 'Forget an account.', {
      parameters: [APP_ID, FORCE],
      responses: { ...noContent, ...refused, ...unknown, ...inUse },
    }),
  },
  [admin('/wechat/accounts/{appId}/token-stats')]: {
    get: op(
      'accounts',
      "The access-token manager's figures: fetches today (Beijing day) against the daily quota, failures, back-off.",
      {
        parameters: [APP_ID],
        responses: { ...ok('Token figures.', { type: 'object' }), ...refused, ...unknown },
      },
    ),
  },
  [admin('/wechat/accounts/{appId}/sign')]: {
    post: op(
      'accounts',
      'Sign (and optionally encrypt) a push exactly as WeChat would send it — for `cloudfn push`.',
      {
        parameters: [APP_ID],
        requestBody: body(ref('SignInput')),
        responses: {
          ...ok('What to POST to /wechat/{appId}.', ref('SignedPush')),
          ...refused,
          ...unknown,
        },
      },
    ),
  },

  [admin('/functions')]: {
    get: op('functions', 'Deployed functions.', {
      parameters: paging,
      responses: { ...ok('Functions.', list('Function')), ...refused },
    }),
  },
  [admin('/functions/{name}')]: {
    put: op(
      'functions',
      'Deploy: bundle the code into a new numbered version and make it active.',
      {
        parameters: [NAME],
        requestBody: body(ref('DeployInput')),
        responses: {
          ...ok('A new version of an existing function.', ref('Function')),
          ...ok('The first version.', ref('Function'), '201'),
          ...error('400', 'E_FUNCTION_BUILD (with file, line, column, frame) or invalid input.'),
          ...error('401', 'No or wrong admin token.'),
          ...error(
            '409',
            'E_FUNCTION_VERSION_CONFLICT: If-Match "N" is not the active version, or If-None-Match * and the function exists.',
          ),
        },
      },
    ),
    get: op('functions', 'One function.', {
      parameters: [NAME],
      responses: { ...ok('The function.', ref('Function')), ...refused, ...unknown },
    }),
    delete: op('functions', 'Delete a function and its versions.', {
      parameters: [NAME, FORCE],
      responses: { ...noContent, ...refused, ...unknown, ...inUse },
    }),
  },
  [admin('/functions/{name}/versions')]: {
    get: op('functions', 'Every version of a function.', {
      parameters: [NAME],
      responses: { ...ok('Versions.', list('FunctionVersion')), ...refused, ...unknown },
    }),
  },
  [admin('/functions/{name}/env')]: {
    patch: op(
      'functions',
      'Set or unset env values: a new version with the same code and limits.',
      {
        parameters: [NAME],
        requestBody: body(
          obj({
            set: { type: 'object', additionalProperties: { type: 'string' } },
            unset: { type: 'array', items: { type: 'string' } },
          }),
        ),
        responses: { ...ok('The function.', ref('Function')), ...refused, ...unknown },
      },
    ),
  },
  [admin('/functions/{name}/rollback')]: {
    post: op('functions', 'Make an earlier version active.', {
      parameters: [NAME],
      requestBody: body(obj({ version: { type: 'integer', minimum: 1 } }, ['version'])),
      responses: { ...ok('The function.', ref('Function')), ...refused, ...unknown },
    }),
  },
  [admin('/functions/{name}/invoke')]: {
    post: op('functions', 'Run the active version now on {data}; recorded as a job.', {
      parameters: [NAME],
      requestBody: body(
        obj({
          data: {},
          user_id: int(
            'Run it for this user (event.request.user; its table calls obey record ACLs); 404 when there is none.',
          ),
        }),
      ),
      responses: {
        ...ok('The outcome (code 1 when the run failed).', ref('InvokeResult')),
        ...refused,
        ...unknown,
      },
    }),
  },
  [admin('/functions/{name}/jobs')]: {
    get: op('functions', "A function's runs, newest first.", {
      parameters: [
        NAME,
        ...paging,
        queryParam('status', 'Only this job status.'),
        queryParam('source', 'Only this source (invoke, trigger, …).'),
      ],
      responses: { ...ok('Jobs.', list('Job')), ...refused, ...unknown },
    }),
  },
  // Web console (docs/console.md): test runs of drafts, one version's code, metrics, live log.
  [admin('/functions/{name}/test')]: {
    post: op('functions', 'Run a draft on {data} without deploying: no version, no job.', {
      parameters: [NAME],
      requestBody: body(
        obj({ code: str('The draft source.'), filename: str(), data: {} }, ['code']),
      ),
      responses: {
        ...ok('The outcome: status, result or error, log, duration_ms, memory_bytes.', obj({})),
        ...error('400', 'E_FUNCTION_BUILD or invalid input.'),
        ...error('401', 'No or wrong admin token.'),
      },
    }),
  },
  [admin('/functions/{name}/versions/{version}')]: {
    get: op('functions', 'One version (or the active one) with its bundled code.', {
      description:
        'The code is shown without its inline source map, or exactly as stored with raw=true (what `cloudfn plan` compares and `pull` writes). env_sha256 is a digest of the env values, which are never shown.',
      parameters: [
        NAME,
        pathParam('version', 'The version number, or "active" for the version that runs.'),
        queryParam('raw', 'true: the code exactly as stored, source map included.', {
          type: 'string',
          enum: ['true', 'false'],
        }),
      ],
      responses: {
        ...ok(
          'The version and its code.',
          obj({
            name: str(),
            version: { type: 'integer' },
            sha256: str(),
            timeoutMs: { type: 'integer' },
            memoryMb: { type: 'integer' },
            env: { type: 'array', items: str() },
            env_sha256: str(),
            created_at: isoTime(),
            code: str(),
          }),
        ),
        ...refused,
        ...unknown,
      },
    }),
  },
  [admin('/wechat/accounts/{appId}/open-reply')]: {
    post: op('accounts', "Decrypt the receiver's answer to a safe-mode push (push simulator).", {
      parameters: [APP_ID],
      requestBody: body(obj({ body: str('The answer as received.') }, ['body'])),
      responses: {
        ...ok('{encrypted, message}: the answer, opened when it was sealed.', obj({})),
        ...refused,
        ...unknown,
      },
    }),
  },
  [admin('/metrics')]: {
    get: op('engine', 'Dashboard numbers over the last hour or day.', {
      parameters: [queryParam('window', 'hour (default) or day.')],
      responses: { ...ok('Series and totals.', obj({})), ...refused },
    }),
  },
  [admin('/events')]: {
    get: op('engine', 'The live log: server-sent events, one per push and per finished run.', {
      responses: {
        '200': { description: 'text/event-stream of `event: activity` JSON lines.' },
        ...refused,
      },
    }),
  },
  [admin('/jobs/{id}')]: {
    get: op('functions', 'One job.', {
      parameters: [pathParam('id', 'The job id.')],
      responses: { ...ok('The job.', ref('Job')), ...refused, ...unknown },
    }),
  },

  [admin('/tables')]: {
    post: op('tables', 'Create a table.', {
      requestBody: body(ref('TableInput')),
      responses: { ...ok('The table.', ref('Table'), '201'), ...refused },
    }),
    get: op('tables', 'Every table.', {
      parameters: paging,
      responses: { ...ok('Tables.', list('Table')), ...refused },
    }),
  },
  [admin('/tables/{t}')]: {
    get: op('tables', 'One table.', {
      parameters: [TABLE],
      responses: { ...ok('The table.', ref('Table')), ...refused, ...unknown },
    }),
    delete: op('tables', 'Drop a table and its records.', {
      parameters: [TABLE, FORCE],
      responses: { ...noContent, ...refused, ...unknown, ...inUse },
    }),
  },
  [admin('/tables/{t}/fields')]: {
    post: op('tables', 'Add fields to a table.', {
      parameters: [TABLE],
      requestBody: body({
        oneOf: [
          obj({ fields: { type: 'array', items: ref('Field') } }, ['fields']),
          { type: 'array', items: ref('Field') },
        ],
      }),
      responses: { ...ok('The table.', ref('Table')), ...refused, ...unknown },
    }),
  },
  [admin('/tables/{t}/records')]: {
    get: op('tables', 'Query records.', {
      parameters: [
        TABLE,
        queryParam('where', "A JSON where document in MinCloud's operators ($eq, $in, $and, …)."),
        ...paging,
        queryParam('order_by', 'Comma-separated fields, "-" for descending.'),
        queryParam('keys', 'Comma-separated fields to return ("-a" drops a).'),
      ],
      responses: { ...ok('Records.', ref('RecordList')), ...refused, ...unknown },
    }),
    post: op('tables', 'Create a record (an object) or many, all or nothing (an array).', {
      description:
        "A record may bring its own id (24 hex, MinCloud's shape; a positive integer in _userprofile), as an import of an export does; without one the engine draws it.",
      parameters: [TABLE],
      requestBody: body({
        oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }],
      }),
      responses: {
        '201': {
          description: 'The record, or a BulkResult for an array.',
          content: json({ oneOf: [ref('Record'), ref('BulkResult')] }),
        },
        ...refused,
        ...unknown,
      },
    }),
    put: op('tables', 'Update every record of a where query.', {
      parameters: [
        TABLE,
        { ...queryParam('where', 'Required; {} for all records.'), required: true },
        ...paging,
      ],
      requestBody: body({ type: 'object' }),
      responses: { ...ok('What was updated.', ref('BulkResult')), ...refused, ...unknown },
    }),
    delete: op('tables', 'Delete every record of a where query.', {
      parameters: [
        TABLE,
        { ...queryParam('where', 'Required; {} for all records.'), required: true },
        ...paging,
      ],
      responses: { ...ok('What was deleted.', ref('BulkResult')), ...refused, ...unknown },
    }),
  },
  [admin('/tables/{t}/records/{id}')]: {
    get: op('tables', 'One record.', {
      parameters: [
        TABLE,
        pathParam('id', 'The record id.'),
        queryParam('keys', 'Fields to return.'),
      ],
      responses: { ...ok('The record.', ref('Record')), ...refused, ...unknown },
    }),
    put: op('tables', 'Update one record (field values or update operators).', {
      parameters: [TABLE, pathParam('id', 'The record id.')],
      requestBody: body({ type: 'object' }),
      responses: { ...ok('The record.', ref('Record')), ...refused, ...unknown },
    }),
    delete: op('tables', 'Delete one record.', {
      parameters: [TABLE, pathParam('id', 'The record id.')],
      responses: { ...noContent, ...refused, ...unknown },
    }),
  },
  [admin('/tables/{t}/export')]: {
    get: op('tables', 'Every record as CSV or a JSON array.', {
      parameters: [
        TABLE,
        queryParam('format', 'csv or json (default).', { enum: ['csv', 'json'] }),
      ],
      responses: {
        '200': {
          description: 'The records.',
          content: {
            'text/csv': { schema: str() },
            'application/json': { schema: { type: 'array', items: ref('Record') } },
          },
        },
        ...refused,
        ...unknown,
      },
    }),
  },

  [admin('/users')]: {
    get: op('users', "Query users (MinCloud's _userprofile, integer ids).", {
      parameters: [
        queryParam('where', 'A JSON where document, as for records.'),
        ...paging,
        queryParam('order_by', 'Comma-separated fields, "-" for descending.'),
        queryParam('keys', 'Comma-separated fields to return ("-a" drops a).'),
      ],
      responses: { ...ok('Users.', ref('RecordList')), ...refused },
    }),
    post: op('users', 'Create a user (openid and unionid are unique).', {
      requestBody: body({ type: 'object' }),
      responses: {
        '201': { description: 'The user.', content: json(ref('Record')) },
        ...refused,
      },
    }),
  },
  [admin('/users/{id}')]: {
    get: op('users', 'One user.', {
      parameters: [pathParam('id', 'The user id.'), queryParam('keys', 'Fields to return.')],
      responses: { ...ok('The user.', ref('Record')), ...refused, ...unknown },
    }),
    put: op('users', 'Update a user (field values or update operators).', {
      parameters: [pathParam('id', 'The user id.')],
      requestBody: body({ type: 'object' }),
      responses: { ...ok('The user.', ref('Record')), ...refused, ...unknown },
    }),
  },

  [admin('/triggers')]: {
    post: op('triggers', 'Create a trigger (SPEC §4).', {
      parameters: [DRY_RUN],
      requestBody: body(ref('Trigger')),
      responses: {
        ...ok('The trigger (with key for webhook triggers).', ref('Trigger'), '201'),
        ...refused,
        ...error('409', 'A trigger of that name exists.'),
      },
    }),
    get: op('triggers', 'Every trigger.', {
      parameters: paging,
      responses: { ...ok('Triggers.', list('Trigger')), ...refused },
    }),
  },
  [admin('/triggers/{name}')]: {
    get: op('triggers', 'One trigger.', {
      parameters: [NAME],
      responses: { ...ok('The trigger.', ref('Trigger')), ...refused, ...unknown },
    }),
    put: op('triggers', 'Replace a trigger.', {
      parameters: [NAME, DRY_RUN],
      requestBody: body(ref('Trigger')),
      responses: { ...ok('The trigger.', ref('Trigger')), ...refused, ...unknown },
    }),
    patch: op('triggers', 'Enable or disable a trigger.', {
      parameters: [NAME],
      requestBody: body(
        obj({ enabled: { type: 'boolean' } }, ['enabled'], { additionalProperties: false }),
      ),
      responses: { ...ok('The trigger.', ref('Trigger')), ...refused, ...unknown },
    }),
    delete: op('triggers', 'Delete a trigger.', {
      parameters: [NAME],
      responses: { ...noContent, ...refused, ...unknown },
    }),
  },
  [admin('/triggers/{name}/rotate-key')]: {
    post: op('triggers', 'A new key for a webhook trigger (the old one stops working).', {
      parameters: [NAME],
      responses: { ...ok('The trigger with its new key.', ref('Trigger')), ...refused, ...unknown },
    }),
  },
  [admin('/triggers/{name}/test')]: {
    post: op(
      'triggers',
      'Dry-run: would this event.data match? Rule by rule, with the value found.',
      {
        parameters: [NAME],
        requestBody: body(obj({ data: { type: 'object' } }, ['data'])),
        responses: { ...ok('The verdict.', ref('TriggerTest')), ...refused, ...unknown },
      },
    ),
  },
  [admin('/triggers/{name}/logs')]: {
    get: op('triggers', "A trigger's firings, one row per action, newest first.", {
      parameters: [NAME, ...paging, ...logFilters],
      responses: { ...ok('Logs.', list('TriggerLog')), ...refused, ...unknown },
    }),
  },
  [admin('/triggers/{name}/logs/{id}')]: {
    get: op('triggers', 'One firing.', {
      parameters: [NAME, pathParam('id', 'The log id.')],
      responses: { ...ok('The log row.', ref('TriggerLog')), ...refused, ...unknown },
    }),
  },
  [admin('/trigger-logs')]: {
    get: op(
      'triggers',
      'Firings across all triggers, e.g. what happened to one push (?msgId=…, ?fromUserName=…).',
      {
        parameters: [...paging, ...logFilters],
        responses: { ...ok('Logs.', list('TriggerLog')), ...refused },
      },
    ),
  },
  [admin('/triggers/{name}/logs/replay')]: {
    post: op('triggers', 'Run every dead letter (or every succeeded firing) of a trigger again.', {
      parameters: [NAME],
      requestBody: body(
        obj({ status: { type: 'string', enum: ['dead_letter', 'succeeded'] } }, ['status']),
      ),
      responses: {
        '202': {
          description: 'How many firings were queued again.',
          content: json(
            obj({ trigger: str(), status: str(), replayed: int() }, [
              'trigger',
              'status',
              'replayed',
            ]),
          ),
        },
        ...refused,
        ...unknown,
      },
    }),
  },
  [admin('/triggers/{name}/logs/{id}/replay')]: {
    post: op('triggers', 'Run a logged firing again.', {
      parameters: [NAME, pathParam('id', 'The log id.')],
      responses: {
        '202': { description: 'Queued again.', content: json(ref('TriggerLog')) },
        ...refused,
        ...unknown,
        ...error('409', 'Still queued.'),
      },
    }),
  },
  [admin('/inbox')]: {
    get: op(
      'inbox',
      'Accepted events, newest first; ?status=dispatch_failed lists those set aside.',
      {
        parameters: [
          ...paging,
          queryParam('status', 'Only entries of this status.', {
            enum: ['pending', 'dispatched', 'dispatch_failed'],
          }),
        ],
        responses: { ...ok('Entries.', list('InboxEntry')), ...refused },
      },
    ),
  },
  [admin('/inbox/{id}')]: {
    get: op('inbox', 'One accepted event (without its data).', {
      parameters: [pathParam('id', 'The event id.')],
      responses: { ...ok('The entry.', ref('InboxEntry')), ...refused, ...unknown },
    }),
  },
  [admin('/inbox/{id}/replay')]: {
    post: op('inbox', 'Dispatch an entry set aside (dispatch_failed) again.', {
      parameters: [pathParam('id', 'The event id.')],
      responses: {
        '202': { description: 'Pending again.', content: json(ref('InboxEntry')) },
        ...refused,
        ...unknown,
        ...error('409', 'Not dispatch_failed (E_INBOX_ENTRY_NOT_REPLAYABLE).'),
      },
    }),
  },
};

/** Gives every operation a stable operationId: method + path words (`getApiV1FunctionsName`). */
function withOperationIds(all: typeof paths): typeof paths {
  const out: typeof paths = {};
  for (const [path, methods] of Object.entries(all)) {
    out[path] = {};
    for (const [method, operation] of Object.entries(methods)) {
      const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
      const id = method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
      out[path][method] = { ...operation, operationId: id };
    }
  }
  return out;
}

/** The OpenAPI 3.1 document of the engine's HTTP API. */
export function openApiDocument(version = '0.1.0'): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'cloudfn',
      version,
      description:
        'The admin API (under /api/v1, Authorization: Bearer <admin token>) and the public receivers of a cloudfn engine. Errors are {"error":{"code":"E_…","message":"…"}}; every code is in docs/errors.md.',
    },
    servers: [{ url: '/' }],
    security: [{ adminToken: [] }],
    tags: ['engine', 'wechat', 'accounts', 'functions', 'tables', 'triggers', 'inbox'].map(
      (name) => ({
        name,
      }),
    ),
    paths: withOperationIds(paths),
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The admin token (data/admin-token or CLOUDFN_ADMIN_TOKEN).',
        },
      },
      schemas,
    },
  };
}

/** Serves the document at GET /openapi.json on the admin router (so /api/v1/openapi.json). */
export function registerOpenApiRoute(router: Router): void {
  const document = openApiDocument();
  router.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
}
