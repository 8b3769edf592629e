import type { PreparedAccount } from './account.ts';
import { decryptForAccount } from './crypto.ts';
import { parseWechatJson } from './parse-json.ts';
import { parseWechatXml } from './parse-xml.ts';
import { computeSignature, signatureMatches } from './signature.ts';

/** A receiver's answer to a push, opened: what the bot said, as WeChat will read it. */
export interface OpenedReply {
  /** `success`/empty (nothing to say), or a passive reply. */
  kind: 'success' | 'reply';
  format: 'text' | 'xml' | 'json';
  /** True when the answer was a safe-mode envelope (Encrypt, MsgSignature, …). */
  encrypted: boolean;
  /** For an envelope: MsgSignature = sha1(sort(token, TimeStamp, Nonce, Encrypt)) holds. */
  signatureValid: boolean | null;
  /** The reply as WeChat reads it, decrypted when it was encrypted. */
  message: string;
  /** Its elements (`ToUserName`, `MsgType`, `Content`, …); null for `success`. */
  fields: Record<string, unknown> | null;
}

/**
 * Opens what the receiver answered to a push (the inverse of buildReply/sealReply): checks
 * the envelope's signature and decrypts it with the account's keys, so a developer sees the
 * reply as WeChat would. Throws E_WECHAT_MALFORMED / E_WECHAT_DECRYPT on a broken answer.
 */
export function openReply(account: PreparedAccount, answer: string): OpenedReply {
  const text = answer.trim();
  if (text === '' || text === 'success')
    return {
      kind: 'success',
      format: 'text',
      encrypted: false,
      signatureValid: null,
      message: text,
      fields: null,
    };
  const format = text.startsWith('<') ? 'xml' : 'json';
  const parse = (body: string) =>
    body.trim().startsWith('<') ? parseWechatXml(body) : parseWechatJson(body);
  const outer = parse(text);
  if (typeof outer.Encrypt !== 'string')
    return {
      kind: 'reply',
      format,
      encrypted: false,
      signatureValid: null,
      message: text,
      fields: outer,
    };
  const expected = computeSignature(
    account.token,
    String(outer.TimeStamp ?? ''),
    String(outer.Nonce ?? ''),
    outer.Encrypt,
  );
  const signatureValid = signatureMatches(
    expected,
    typeof outer.MsgSignature === 'string' ? outer.MsgSignature : undefined,
  );
  const { message } = decryptForAccount(account, outer.Encrypt);
  return {
    kind: 'reply',
    format,
    encrypted: true,
    signatureValid,
    message,
    fields: parse(message),
  };
}
