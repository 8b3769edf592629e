import { randomBytes } from 'node:crypto';

/** Id and secret generation, injectable for tests. */
export interface Ids {
  /** 24 lowercase hex characters, like MinCloud's record and job ids. */
  id(): string;
  /** A URL-safe random secret of at least 32 characters. */
  secret(): string;
}

export const randomIds: Ids = {
  id: () => randomBytes(12).toString('hex'),
  secret: () => randomBytes(32).toString('base64url'),
};
