import type { AccountMode, AccountRecord } from '../ports.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';

/** An `accounts` row, as both backends read it (secrets sealed). */
export interface AccountRow {
  app_id: string;
  token: string;
  aes_key: string | null;
  previous_aes_key: string | null;
  app_secret: string | null;
  mode: AccountMode;
  created_at: number;
  updated_at: number;
}

/** The columns that hold secrets: sealed at rest (engine/secrets/secret-box.ts). */
export const SECRET_COLUMNS = ['token', 'aes_key', 'previous_aes_key', 'app_secret'] as const;
export type SecretColumn = (typeof SECRET_COLUMNS)[number];

// The same contexts on every backend: a row copied from one to the other still opens.
export const secretContext = (column: SecretColumn, appId: string) => `accounts.${column}.${appId}`;

/** A column's value sealed for storage (null stays null). */
export const sealColumn = (
  box: SecretBox,
  value: string | null,
  column: SecretColumn,
  appId: string,
) => (value === null ? null : box.seal(value, secretContext(column, appId)));

const openColumn = (box: SecretBox, value: string | null, column: SecretColumn, appId: string) =>
  value === null ? null : box.open(value, secretContext(column, appId));

/** The record of a row, its secrets opened. */
export const toAccountRecord = (box: SecretBox, row: AccountRow): AccountRecord => ({
  appId: row.app_id,
  token: openColumn(box, row.token, 'token', row.app_id)!,
  encodingAESKey: openColumn(box, row.aes_key, 'aes_key', row.app_id),
  previousEncodingAESKey: openColumn(box, row.previous_aes_key, 'previous_aes_key', row.app_id),
  mode: row.mode,
  appSecret: openColumn(box, row.app_secret, 'app_secret', row.app_id),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});
