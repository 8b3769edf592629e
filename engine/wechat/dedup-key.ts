import { createHash } from 'node:crypto';

/** The message's MsgId (messages) or MsgID (template events), when it has a non-empty one. */
export function messageIdOf(data: Record<string, unknown>): string | undefined {
  const id = data.MsgId ?? data.MsgID;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * The key a retry of the same push shares, per account: `msgid:<MsgId>` when there is one,
 * else `sha256:<hex>` of the decrypted message in canonical form (keys sorted, `_AppId`
 * left out). Never the raw body: a retry carries a new nonce and new ciphertext; and never
 * FromUserName+CreateTime, which merges distinct events of the same second (notes §3).
 */
export function dedupKeyOf(data: Record<string, unknown>): string {
  const id = messageIdOf(data);
  if (id !== undefined) return `msgid:${id}`;
  return `sha256:${createHash('sha256').update(canonical(data, true)).digest('hex')}`;
}

function canonical(value: unknown, root = false): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => !(root && key === '_AppId'))
      .sort();
    // A flat record (a parsed push mostly is): the same text in one native call, the keys
    // array giving their order (it would also filter nested objects' keys, hence flat only).
    if (keys.every((key) => isScalar(record[key]))) return JSON.stringify(record, keys);
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const isScalar = (v: unknown): boolean =>
  typeof v === 'string' ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  typeof v === 'boolean' ||
  v === null;
