import type { AccountMode, AccountRecord, AccountStore } from '../store/index.ts';
import { prepareAccount, type PreparedAccount } from '../wechat/index.ts';
import { NotFoundError } from '../errors.ts';

/**
 * WeChat accounts with their prepared (key-derived) form cached in memory: opening a push
 * derives no key. The cache is filled lazily and dropped on every change of an account.
 */
export class AccountRegistry {
  #store: AccountStore;
  #prepared = new Map<string, PreparedAccount>();
  #listeners: ((appId: string) => void)[] = [];

  constructor(store: AccountStore) {
    this.#store = store;
  }

  /** Called with the appId after every change or removal (the token manager drops its cache). */
  onChange(listener: (appId: string) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Validates (keys decode to 32 bytes) and stores; a new key keeps the old one for rotation.
   * An absent `appSecret` keeps the stored one; `null` removes it.
   */
  async put(
    appId: string,
    input: {
      token: string;
      encodingAESKey?: string;
      mode?: AccountMode;
      appSecret?: string | null;
    },
    now: number,
  ): Promise<AccountRecord> {
    const existing = await this.#store.get(appId);
    const key = input.encodingAESKey ?? null;
    const previous =
      key && existing?.encodingAESKey && existing.encodingAESKey !== key
        ? existing.encodingAESKey
        : key && existing?.encodingAESKey === key
          ? existing.previousEncodingAESKey
          : null;
    const mode: AccountMode = input.mode ?? (key ? 'safe' : 'plain');
    const record = {
      appId,
      token: input.token,
      encodingAESKey: key,
      previousEncodingAESKey: previous,
      mode,
      appSecret: input.appSecret === undefined ? (existing?.appSecret ?? null) : input.appSecret,
    };
    prepareAccount(toWechatAccount(record)); // throws E_WECHAT_BAD_KEY before anything is stored
    const saved = await this.#store.put(record, now);
    this.#prepared.delete(appId);
    if (existing?.appSecret !== saved.appSecret) for (const l of this.#listeners) l(appId);
    return saved;
  }

  /** The prepared account, or 404 E_WECHAT_UNKNOWN_ACCOUNT (from memory once read). */
  async prepared(appId: string): Promise<PreparedAccount> {
    let prepared = this.#prepared.get(appId);
    if (!prepared) {
      const record = await this.#store.get(appId);
      if (!record) {
        throw new NotFoundError(
          'E_WECHAT_UNKNOWN_ACCOUNT',
          `No WeChat account "${appId}" is registered: PUT /api/v1/wechat/accounts/${appId} first.`,
          { appId },
        );
      }
      prepared = prepareAccount(toWechatAccount(record));
      this.#prepared.set(appId, prepared);
    }
    return prepared;
  }

  /** Every account as stored (with its secrets: render before answering). */
  list(): Promise<AccountRecord[]> {
    return this.#store.list();
  }

  /** The stored account (with its secrets), if any. */
  get(appId: string): Promise<AccountRecord | undefined> {
    return this.#store.get(appId);
  }

  /** Removes the account and its cached keys; false when there was none. */
  async delete(appId: string): Promise<boolean> {
    this.#prepared.delete(appId);
    const deleted = await this.#store.delete(appId);
    if (deleted) for (const l of this.#listeners) l(appId);
    return deleted;
  }
}

function toWechatAccount(
  record: Pick<
    AccountRecord,
    'appId' | 'token' | 'encodingAESKey' | 'previousEncodingAESKey' | 'mode'
  >,
) {
  return {
    appId: record.appId,
    token: record.token,
    mode: record.mode,
    ...(record.encodingAESKey ? { encodingAESKey: record.encodingAESKey } : {}),
    ...(record.previousEncodingAESKey
      ? { previousEncodingAESKey: record.previousEncodingAESKey }
      : {}),
  };
}
