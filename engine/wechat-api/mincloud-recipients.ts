/**
 * MinCloud's `sendTemplateMessage` / `wechat.sendSubscribeMessage` address users by their
 * MinCloud user id (`recipient_type: 'user_id' | 'user_list'`, hydrogen-sdk-doc
 * cloud-function/node-sdk/frag/_template-message.md). The ids are those of the built-in users
 * table `_userprofile` (its integer `id`), whose `openid` is the user's for this account.
 * `recipient_type: 'openid'` with `openid` or
 * `openid_list` skips the lookup. `user_group` and `schema_user` need MinCloud's user service
 * and are refused with E_WECHAT_API_BAD_ARGS.
 */
import type { TableStore } from '../tables/table-store.ts';
import { USER_TABLE } from '../tables/names.ts';
import { WechatArgumentError } from './errors.ts';

const MAX_RECIPIENTS = 1000;

export interface Recipient {
  userId?: unknown;
  openid: string;
}

type Json = Record<string, unknown>;

export function isMinCloudShape(data: unknown): data is Json {
  return data !== null && typeof data === 'object' && 'recipient_type' in data;
}

function list(value: unknown, name: string): unknown[] {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0 || items.length > MAX_RECIPIENTS || items.some((v) => v === undefined))
    throw new WechatArgumentError(`${name} must hold 1 to ${MAX_RECIPIENTS} recipients`, {
      path: name,
    });
  return items;
}

export async function resolveRecipients(data: Json, tables: TableStore): Promise<Recipient[]> {
  const type = data.recipient_type;
  if (type === 'openid') {
    const openids = list(data.openid_list ?? data.openid, 'openid_list');
    return openids.map((openid) => ({ openid: String(openid) }));
  }
  if (type !== 'user_id' && type !== 'user_list')
    throw new WechatArgumentError(
      `recipient_type "${String(type)}" is not supported: use user_id, user_list (looked up in the "${USER_TABLE}" table) or openid`,
      { path: 'recipient_type' },
    );
  const ids = list(type === 'user_id' ? data.user_id : data.user_list, String(type));
  const userIds = ids.map((id) => Number(id));
  if (userIds.some((id) => !Number.isSafeInteger(id) || id < 1))
    throw new WechatArgumentError(`${String(type)} must hold user ids (positive integers)`, {
      path: String(type),
    });
  const rows = (
    await tables.find(USER_TABLE, {
      where: { id: { $in: userIds } },
      limit: MAX_RECIPIENTS,
      keys: ['id', 'openid'],
      withCount: false,
    })
  ).objects as Json[];
  const openidOf = new Map(rows.map((r) => [String(r.id), r.openid]));
  return ids.map((id) => {
    const openid = openidOf.get(String(id));
    if (typeof openid !== 'string' || openid === '')
      throw new WechatArgumentError(`User ${String(id)} has no openid (${USER_TABLE})`, {
        path: 'user_list',
        userId: id,
      });
    return { userId: id, openid };
  });
}

/**
 * The WeChat body for one recipient of a MinCloud-shaped call: `keywords` become `data`;
 * `page` becomes the template's `url` when it is a web address, else its `miniprogram`
 * (`miniprogram_appid`, or the account's own AppID) — for subscribe messages it stays `page`.
 */
export function minCloudBody(
  data: Json,
  openid: string,
  kind: 'template' | 'subscribe',
  appId: string,
): Json {
  const body: Json = { touser: openid, template_id: data.template_id, data: data.keywords };
  const page = data.page;
  if (kind === 'subscribe') {
    if (page !== undefined) body.page = page;
    if (data.miniprogram_state !== undefined) body.miniprogram_state = data.miniprogram_state;
    if (data.lang !== undefined) body.lang = data.lang;
    return body;
  }
  if (typeof page === 'string' && /^https?:\/\//i.test(page)) body.url = page;
  else if (typeof page === 'string' && page !== '')
    body.miniprogram = { appid: data.miniprogram_appid ?? appId, pagepath: page };
  return body;
}
