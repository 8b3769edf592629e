import { computeSignature, encryptMessage, prepareAccount } from '../../engine/wechat/index.ts';

export interface PushAccount {
  appId: string;
  token: string;
  encodingAESKey?: string;
}

export interface BuiltPush {
  query: URLSearchParams;
  body: string;
}

/**
 * Builds a push as WeChat's servers do (WXBizMsgCrypt): `signature` over token, timestamp
 * and nonce; in safe mode the message AES-encrypted into `<Encrypt>` and `msg_signature`
 * over the four values. Built from the primitives the official vectors pin down.
 */
export function buildPush(
  account: PushAccount,
  xml: string,
  options: { safe?: boolean; timestamp?: number; nonce?: string } = {},
): BuiltPush {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(Math.floor(Math.random() * 1e9));
  const query = new URLSearchParams({
    signature: computeSignature(account.token, timestamp, nonce),
    timestamp,
    nonce,
  });
  if (!options.safe) return { query, body: xml };
  const prepared = prepareAccount({
    appId: account.appId,
    token: account.token,
    encodingAESKey: account.encodingAESKey!,
    mode: 'safe',
  });
  const encrypt = encryptMessage(prepared.keys[0]!, xml, account.appId);
  query.set('encrypt_type', 'aes');
  query.set('msg_signature', computeSignature(account.token, timestamp, nonce, encrypt));
  const toUser = /<ToUserName>\s*<!\[CDATA\[(.*?)\]\]>/.exec(xml)?.[1] ?? '';
  return {
    query,
    body: `<xml><ToUserName><![CDATA[${toUser}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
  };
}

/** POSTs a built push to the engine's receiver like WeChat would. */
export async function sendPush(
  baseUrl: string,
  appId: string,
  push: BuiltPush,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${baseUrl}/wechat/${appId}?${push.query.toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: push.body,
  });
  return { status: response.status, text: await response.text() };
}
