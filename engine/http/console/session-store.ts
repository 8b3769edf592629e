import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ConsoleSession {
  /** Sent back with every change (X-Cloudfn-CSRF); readable by the page, unlike the cookie. */
  csrf: string;
  /** SHA-256 of the admin token the session was opened with: a new token ends it. */
  tokenHash: Buffer;
  createdAt: number;
  lastSeen: number;
}

export interface SessionStoreOptions {
  /** A session unused this long ends (ms). */
  idleMs: number;
  /** A session ends this long after sign-in however busy it is (ms). */
  maxAgeMs: number;
  now?: () => number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * The console's sessions, in memory: an engine restart signs everyone out, like a token
 * rotation does. Keyed by a hash of the session id, so the map never holds a usable cookie.
 */
export class SessionStore {
  readonly #sessions = new Map<string, ConsoleSession>();
  readonly #options: Required<SessionStoreOptions>;

  constructor(options: SessionStoreOptions) {
    this.#options = { now: Date.now, ...options };
  }

  static tokenHash(token: string): Buffer {
    return sha256(token);
  }

  /** A new session; returns the cookie value (the id) and the CSRF value. */
  open(tokenHash: Buffer): { id: string; csrf: string } {
    this.#sweep();
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const now = this.#options.now();
    this.#sessions.set(this.#key(id), { csrf, tokenHash, createdAt: now, lastSeen: now });
    return { id, csrf };
  }

  /** The live session of this cookie value under this token, touched; else undefined. */
  find(id: string | undefined, tokenHash: Buffer): ConsoleSession | undefined {
    if (!id) return undefined;
    const key = this.#key(id);
    const session = this.#sessions.get(key);
    if (!session) return undefined;
    const now = this.#options.now();
    if (
      now - session.lastSeen > this.#options.idleMs ||
      now - session.createdAt > this.#options.maxAgeMs ||
      !timingSafeEqual(session.tokenHash, tokenHash)
    ) {
      this.#sessions.delete(key);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  close(id: string | undefined): void {
    if (id) this.#sessions.delete(this.#key(id));
  }

  get size(): number {
    return this.#sessions.size;
  }

  #key(id: string): string {
    return sha256(id).toString('base64url');
  }

  #sweep(): void {
    const now = this.#options.now();
    for (const [key, s] of this.#sessions)
      if (now - s.lastSeen > this.#options.idleMs || now - s.createdAt > this.#options.maxAgeMs)
        this.#sessions.delete(key);
  }
}

/** Constant-time comparison of two strings of any length. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
