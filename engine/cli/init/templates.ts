/**
 * The files of a `cloudfn init` project: package.json (cloudfn as a dev dependency, the way
 * wrangler is used), cloudfn.json declaring the card tutorial's account, table, functions
 * and trigger, the functions, the trigger, a tsconfig for editor completion from the typings
 * (copied in by init), .gitignore and .env (the sample account's secrets), and a README.
 * The sample pushes and typings are copied by init from the checkout.
 */

/** WeChat's own sample account (WXBizMsgCrypt sample): what the tutorial registers. */
export const SAMPLE_APP_ID = 'wx2c2769f8efd9abc2';
// Its Token and EncodingAESKey, from WeChat's encryption docs: public sample values.
const SAMPLE_TOKEN = 'spamtest';
const SAMPLE_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

export interface StarterOptions {
  appId: string;
  /** The project's package name. */
  name: string;
  /** The devDependency spec of cloudfn: `file:../cloudfn`, `^0.1.0`, `github:…`. */
  cloudfnSpec: string;
  /** The columns of the user_consume_card table (derived from the sample push). */
  tableFields: Array<{ name: string; type: string }>;
}

export function starterFiles(o: StarterOptions): Record<string, string> {
  return {
    'package.json': json(packageJson(o)),
    'cloudfn.json': json(projectFile(o)),
    '.gitignore': GITIGNORE,
    '.env': envFile(),
    'functions/user_consume_card.js': USER_CONSUME_CARD_JS,
    'functions/hello.ts': HELLO_TS,
    'triggers/user_consume_card.json': json(trigger(o.appId)),
    'tsconfig.json': json(TSCONFIG),
    'README.md': readme(o.appId),
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function packageJson(o: StarterOptions) {
  return {
    name: o.name,
    version: '0.0.0',
    private: true,
    description: 'cloudfn functions, tables and triggers (cloudfn.json)',
    scripts: {
      deploy: 'cloudfn deploy',
      plan: 'cloudfn deploy --dry-run',
      dev: 'cloudfn dev',
    },
    devDependencies: { cloudfn: o.cloudfnSpec },
  };
}

function projectFile(o: StarterOptions) {
  return {
    accounts: {
      [o.appId]: { token: { env: 'WX_TOKEN' }, encodingAESKey: { env: 'WX_AES_KEY' } },
    },
    tables: { user_consume_card: { fields: o.tableFields } },
    functions: {
      user_consume_card: 'functions/user_consume_card.js',
      hello: { path: 'functions/hello.ts', timeoutMs: 3000, env: { GREETING: 'Hi' } },
    },
    triggers: ['triggers/user_consume_card.json'],
  };
}

const GITIGNORE = `node_modules/
# cloudfn dev's engine state and connection file
.cloudfn/
# secrets (cloudfn.json reads WX_TOKEN, WX_AES_KEY from here or the environment)
.env
`;

function envFile(): string {
  return `# Secrets cloudfn.json reads ({"env": "…"}); the environment wins over this file.
# These are WeChat's public sample values: put your account's 服务器配置 values here.
WX_TOKEN=${SAMPLE_TOKEN}
WX_AES_KEY=${SAMPLE_AES_KEY}
`;
}

const USER_CONSUME_CARD_JS = `// @ts-check
// Runs when the official account pushes user_consume_card (a coupon was redeemed):
// saves the push into the user_consume_card table. Written as a MinCloud function.

/** @param {CloudFn.Event<WeChat.UserConsumeCardEvent>} event */
exports.main = async function (event) {
  const table = new BaaS.TableObject('user_consume_card');
  const record = table.create();
  record.set(event.data);
  const res = await record.save();
  console.log('saved card', event.data.UserCardCode, 'as', res.data.id);
  return res.data;
};
`;

const HELLO_TS = `// A function in TypeScript: "cloudfn deploy functions/hello.ts" bundles it before upload.
// Try it: cloudfn deploy functions/hello.ts && cloudfn invoke hello '{"name":"Ada"}'

interface HelloInput {
  name?: string;
}

export async function main(event: CloudFn.Event<HelloInput>) {
  const name = event.data?.name ?? 'world';
  console.log(\`greeting \${name} (job \${event.jobId})\`);
  return { greeting: \`\${process.env.GREETING ?? 'Hello'}, \${name}!\` };
}
`;

function trigger(appId: string) {
  return {
    name: 'user_consume_card',
    type: 'wechat_message',
    enabled: true,
    condition: {
      appId,
      match: 'all',
      rules: [{ field: 'Event', op: '=', value: 'user_consume_card' }],
    },
    actions: [{ type: 'function', function: 'user_consume_card' }],
  };
}

// No @types/node: a function has no Node, only what types/*.d.ts declare.
const TSCONFIG = {
  compilerOptions: {
    target: 'es2022',
    lib: ['es2022'],
    module: 'preserve',
    types: [],
    allowJs: true,
    checkJs: true,
    strict: true,
    noEmit: true,
    skipLibCheck: false,
  },
  include: ['functions', 'types'],
};

function readme(appId: string): string {
  return `# cloudfn project

\`cloudfn.json\` declares everything this project deploys: the WeChat account
${appId} (its Token and EncodingAESKey come from the environment or \`.env\`), the table
\`user_consume_card\`, the functions in \`functions/\` and the trigger in \`triggers/\`.

- \`functions/\`: one function per file (or folder). \`user_consume_card.js\` saves redeemed
  coupons into a table; \`hello.ts\` shows TypeScript. Imports of npm packages are bundled
  from \`node_modules\` at deploy.
- \`triggers/\`: trigger definitions, as the API takes them.
- \`pushes/\`: sample WeChat pushes (\`npx cloudfn push ${appId} pushes/user_consume_card.xml\`).
- \`types/\`: typings for \`BaaS\`, \`event\`, WeChat pushes and the sandbox's globals;
  \`tsconfig.json\` wires them up for your editor.

First install the CLI (it is this project's dev dependency; \`npx cloudfn\` then runs it
from \`node_modules\`, never from the registry):

\`\`\`sh
npm install
\`\`\`

Then, with an engine running (\`npm start\` in the cloudfn checkout; elsewhere set CLOUDFN_URL
and CLOUDFN_ADMIN_TOKEN):

\`\`\`sh
npx cloudfn deploy --dry-run   # the plan: + create, ~ update, = unchanged
npx cloudfn deploy             # apply it: account, table, functions, trigger
npx cloudfn push ${appId} pushes/user_consume_card.xml --encrypt
npx cloudfn logs user_consume_card
\`\`\`

Or run a local engine that redeploys on every save and streams the logs:

\`\`\`sh
npx cloudfn dev
\`\`\`

See docs/getting-started.md and docs/cli.md in the cloudfn repository.
`;
}
