import { randomBytes } from 'node:crypto';

/** Id and secret generation, injectable for tests. */
export interface Ids {
  /** 24 lowercase hex characters, like MinCloud's record and job ids. */
  id(): string;
  /** A URL-safe random secret of at least 32 characters. */
  secret(): string;
}

const ID_BYTES = 12;
const POOL_IDS = 512;

// A push makes several ids (inbox entry, trigger log, job); one randomBytes call per id was
// 5 % of the engine's main thread under load, so ids are cut from a pooled random buffer.
let pool = Buffer.alloc(0);
let offset = 0;

function pooledId(): string {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * POOL_IDS);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}

export const randomIds: Ids = {
  id: pooledId,
  // Secrets are rare and must never share a buffer another caller could see: fresh each time.
  secret: () => randomBytes(32).toString('base64url'),
};
