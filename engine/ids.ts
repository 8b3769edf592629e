import { randomBytes } from 'node:crypto';

/** Id and secret generation, injectable for tests. */
export interface Ids {
  /** 24 lowercase hex characters, like MinCloud's record and job ids. */
  id(): string;
  /** A URL-safe random secret of at least 32 characters. */
  secret(): string;
}

// Ids in the order they are made, laid out as MinCloud's (MongoDB's ObjectId): 4 bytes of
// seconds, 5 random bytes drawn once per process, a 3-byte counter from a random start. The
// engine's tables key their rows by id: a random id lands each new row of a batch on another
// leaf of the primary-key index, and a commit writes every page it dirtied whole (one 4 KiB
// page per row and index); ids made in order share the rightmost leaf. Unique as ObjectIds
// are: per process by the counter, between processes by the random part.
const PROCESS_PART = randomBytes(5).toString('hex');
let counter = randomBytes(3).readUIntBE(0, 3);

function orderedId(): string {
  counter = (counter + 1) & 0xffffff;
  const seconds = Math.floor(Date.now() / 1000) >>> 0;
  return `${seconds.toString(16).padStart(8, '0')}${PROCESS_PART}${counter.toString(16).padStart(6, '0')}`;
}

/** The engine's ids (ordered, as above) and secrets (random). */
export const randomIds: Ids = {
  id: orderedId,
  // Secrets are rare and must never share a buffer another caller could see: fresh each time.
  secret: () => randomBytes(32).toString('base64url'),
};
