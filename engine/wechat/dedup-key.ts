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
    // A flat record (a parsed push mostly is): the same text in one native call.
    if (keys.every((key) => isScalar(record[key]))) return flatText(record, keys);
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `JSON.stringify(record, keys)`: the keys in the order given. Copied into an object in that
 * order and written without a replacer, which JSON.stringify does a third faster, unless a key
 * would not keep its place or its value there (an array index goes first, `__proto__` is no
 * own key): then with the keys as the replacer (which would also filter nested objects' keys,
 * hence flat records only).
 */
function flatText(record: Record<string, unknown>, keys: string[]): string {
  const ordered: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === '__proto__' || isIndexLike(key)) return JSON.stringify(record, keys);
    ordered[key] = record[key];
  }
  return JSON.stringify(ordered);
}

/** Starts with a digit: may be an array index, which objects order before other keys. */
const isIndexLike = (key: string): boolean => {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57;
};

const isScalar = (v: unknown): boolean =>
  typeof v === 'string' ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  typeof v === 'boolean' ||
  v === null;
