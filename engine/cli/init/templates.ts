/**
 * The files of a `cloudfn init` starter folder: the card tutorial's function, its trigger and
 * a sample push, a TypeScript function, and a tsconfig that gives both editor completion from
 * types/baas.d.ts (copied in by init from the checkout).
 */

/** WeChat's own sample account (WXBizMsgCrypt sample): what the tutorial registers. */
export const SAMPLE_APP_ID = 'wx2c2769f8efd9abc2';

export function starterFiles(appId: string): Record<string, string> {
  return {
    'functions/user_consume_card.js': USER_CONSUME_CARD_JS,
    'functions/hello.ts': HELLO_TS,
    'triggers/user_consume_card.json': `${JSON.stringify(trigger(appId), null, 2)}\n`,
    'pushes/user_consume_card.xml': USER_CONSUME_CARD_XML,
    'tsconfig.json': `${JSON.stringify(TSCONFIG, null, 2)}\n`,
    'README.md': readme(appId),
  };
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

// WeChat's sample push for 核销卡券 (user_consume_card), with its whitespace around CDATA.
const USER_CONSUME_CARD_XML = `<xml>
    <ToUserName> <![CDATA[gh_fc0a06a20993]]> </ToUserName>
    <FromUserName> <![CDATA[oZI8Fj040-be6rlDohc6gkoPOQTQ]]> </FromUserName>
    <CreateTime>1472549042</CreateTime>
    <MsgType> <![CDATA[event]]> </MsgType>
    <Event> <![CDATA[user_consume_card]]> </Event>
    <CardId> <![CDATA[pZI8Fj8y-E8hpvho2d1ZvpGwQBvA]]> </CardId>
    <UserCardCode> <![CDATA[452998530302]]> </UserCardCode>
    <ConsumeSource> <![CDATA[FROM_API]]> </ConsumeSource>
    <LocationName> <![CDATA[]]> </LocationName>
    <StaffOpenId> <![CDATA[oZ********nJ3bPJu_Rtjkw4c]]> </StaffOpenId>
    <VerifyCode> <![CDATA[]]> </VerifyCode>
    <RemarkAmount> <![CDATA[]]> </RemarkAmount>
    <OuterStr> <![CDATA[xxxxx]]> </OuterStr>
</xml>
`;

// No @types/node: a function has no Node, only what types/baas.d.ts declares.
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
  include: ['functions', 'types/baas.d.ts'],
};

function readme(appId: string): string {
  return `# cloudfn functions

- \`functions/\`: one function per file (or folder). \`user_consume_card.js\` saves redeemed
  coupons into a table; \`hello.ts\` shows TypeScript.
- \`triggers/\`: trigger definitions (\`npx cloudfn triggers create <file>\`).
- \`pushes/\`: sample WeChat pushes (\`npx cloudfn push <appId> <file>\`).
- \`types/baas.d.ts\`: typings for \`BaaS\`, \`event\` and WeChat pushes; \`tsconfig.json\`
  wires them up for your editor (\`npx tsc -p .\` checks the functions).

With the engine running (\`npm start\` in the cloudfn checkout), from this folder inside
the checkout (\`npx cloudfn\` finds the CLI there; elsewhere set CLOUDFN_URL and
CLOUDFN_ADMIN_TOKEN and use the checkout's \`bin/cloudfn.js\`):

\`\`\`sh
npx cloudfn accounts set ${appId} --token <Token> --aes-key <EncodingAESKey>
npx cloudfn tables create user_consume_card --from-push pushes/user_consume_card.xml
npx cloudfn deploy functions/user_consume_card.js
npx cloudfn triggers create triggers/user_consume_card.json
npx cloudfn push ${appId} pushes/user_consume_card.xml --encrypt
npx cloudfn logs user_consume_card
\`\`\`

See docs/getting-started.md in the cloudfn checkout for the whole walk-through.
`;
}
