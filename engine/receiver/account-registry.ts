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

  constructor(store: AccountStore) {
    this.#store = store;
  }

  /** Validates (keys decode to 32 bytes) and stores; a new key keeps the old one for rotation. */
  put(
    appId: string,
    input: { token: string; encodingAESKey?: string; mode?: AccountMode },
    now: number,
  ): AccountRecord {
    const existing = this.#store.get(appId);
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
    };
    prepareAccount(toWechatAccount(record)); // throws E_WECHAT_BAD_KEY before anything is stored
    const saved = this.#store.put(record, now);
    this.#prepared.delete(appId);
    return saved;
  }

  /** The prepared account, or 404 E_WECHAT_UNKNOWN_ACCOUNT. */
  prepared(appId: string): PreparedAccount {
    let prepared = this.#prepared.get(appId);
    if (!prepared) {
      const record = this.#store.get(appId);
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
  list(): AccountRecord[] {
    return this.#store.list();
  }

  /** Removes the account and its cached keys; false when there was none. */
  delete(appId: string): boolean {
    this.#prepared.delete(appId);
    return this.#store.delete(appId);
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
