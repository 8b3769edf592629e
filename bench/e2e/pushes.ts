/**
 * Unique signed pushes for the load generator, built before the clock starts (signing and
 * encrypting are the client's work, not the server's). Each push carries its own card code,
 * so WeChat-retry dedup (a hash of the message, as there is no MsgId) never swallows one.
 */
import { prepareAccount, signPush } from '../../engine/wechat/index.ts';
import type { BenchAccount } from '../lib/tutorial.ts';
import type { LoadRequest } from '../lib/http-load.ts';

/** MinCloud's card tutorial push (fixtures/wechat/user_consume_card.xml), with a slot for the code. */
const TEMPLATE = (code: string, createTime: number): string => `<xml>
    <ToUserName> <![CDATA[gh_fc0a06a20993]]> </ToUserName>
    <FromUserName> <![CDATA[oZI8Fj040-be6rlDohc6gkoPOQTQ]]> </FromUserName>
    <CreateTime>${createTime}</CreateTime>
    <MsgType> <![CDATA[event]]> </MsgType>
    <Event> <![CDATA[user_consume_card]]> </Event>
    <CardId> <![CDATA[pZI8Fj8y-E8hpvho2d1ZvpGwQBvA]]> </CardId>
    <UserCardCode> <![CDATA[${code}]]> </UserCardCode>
    <ConsumeSource> <![CDATA[FROM_API]]> </ConsumeSource>
    <LocationName> <![CDATA[]]> </LocationName>
    <StaffOpenId> <![CDATA[oZ********nJ3bPJu_Rtjkw4c]]> </StaffOpenId>
    <VerifyCode> <![CDATA[]]> </VerifyCode>
    <RemarkAmount> <![CDATA[]]> </RemarkAmount>
    <OuterStr> <![CDATA[xxxxx]]> </OuterStr>
</xml>`;

let batch = 0;

/**
 * `count` distinct pushes to `account` (encrypted when `safe`), signed now. The card codes
 * are 12 digits, unique across calls in this process.
 */
export function buildPushes(account: BenchAccount, count: number, safe: boolean): LoadRequest[] {
  const prepared = prepareAccount({
    appId: account.appId,
    token: account.token,
    mode: safe ? 'safe' : 'plain',
    ...(account.encodingAESKey ? { encodingAESKey: account.encodingAESKey } : {}),
  });
  const now = Math.floor(Date.now() / 1000);
  const prefix = String(++batch % 1000).padStart(3, '0');
  const pushes: LoadRequest[] = [];
  for (let i = 0; i < count; i++) {
    const code = prefix + String(i).padStart(9, '0');
    const signed = signPush(prepared, { body: TEMPLATE(code, now), encrypt: safe, timestamp: now });
    pushes.push({
      path: `/wechat/${account.appId}?${new URLSearchParams(signed.query).toString()}`,
      body: Buffer.from(signed.body),
      contentType: signed.contentType,
    });
  }
  return pushes;
}
