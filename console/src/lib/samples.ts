/** WeChat's sample pushes (fixtures/wechat), bundled for the push simulator and 测试. */
import s0 from '../../../fixtures/wechat/card_not_pass_check.xml';
import s1 from '../../../fixtures/wechat/card_pass_check.xml';
import s2 from '../../../fixtures/wechat/card_pay_order.xml';
import s3 from '../../../fixtures/wechat/card_sku_remind.xml';
import s4 from '../../../fixtures/wechat/event_CLICK.xml';
import s5 from '../../../fixtures/wechat/event_LOCATION.xml';
import s6 from '../../../fixtures/wechat/event_SCAN.xml';
import s7 from '../../../fixtures/wechat/event_TEMPLATESENDJOBFINISH.xml';
import s8 from '../../../fixtures/wechat/event_VIEW.xml';
import s9 from '../../../fixtures/wechat/event_subscribe.xml';
import s10 from '../../../fixtures/wechat/event_subscribe_qrscene.xml';
import s11 from '../../../fixtures/wechat/event_unsubscribe.xml';
import s12 from '../../../fixtures/wechat/image.xml';
import s13 from '../../../fixtures/wechat/link.xml';
import s14 from '../../../fixtures/wechat/location.xml';
import s15 from '../../../fixtures/wechat/pic_weixin_duplicate_piclist.xml';
import s16 from '../../../fixtures/wechat/shortvideo.xml';
import s17 from '../../../fixtures/wechat/submit_membercard_user_info.xml';
import s18 from '../../../fixtures/wechat/text.xml';
import s19 from '../../../fixtures/wechat/update_member_card.xml';
import s20 from '../../../fixtures/wechat/user_consume_card.xml';
import s21 from '../../../fixtures/wechat/user_del_card.xml';
import s22 from '../../../fixtures/wechat/user_enter_session_from_card.xml';
import s23 from '../../../fixtures/wechat/user_get_card.xml';
import s24 from '../../../fixtures/wechat/user_gifting_card.xml';
import s25 from '../../../fixtures/wechat/user_pay_from_pay_cell.xml';
import s26 from '../../../fixtures/wechat/user_view_card.xml';
import s27 from '../../../fixtures/wechat/video.xml';
import s28 from '../../../fixtures/wechat/voice.xml';

export const SAMPLE_PUSHES: Record<string, string> = {
  card_not_pass_check: s0,
  card_pass_check: s1,
  card_pay_order: s2,
  card_sku_remind: s3,
  event_CLICK: s4,
  event_LOCATION: s5,
  event_SCAN: s6,
  event_TEMPLATESENDJOBFINISH: s7,
  event_VIEW: s8,
  event_subscribe: s9,
  event_subscribe_qrscene: s10,
  event_unsubscribe: s11,
  image: s12,
  link: s13,
  location: s14,
  pic_weixin_duplicate_piclist: s15,
  shortvideo: s16,
  submit_membercard_user_info: s17,
  text: s18,
  update_member_card: s19,
  user_consume_card: s20,
  user_del_card: s21,
  user_enter_session_from_card: s22,
  user_get_card: s23,
  user_gifting_card: s24,
  user_pay_from_pay_cell: s25,
  user_view_card: s26,
  video: s27,
  voice: s28,
};

/**
 * A push as a function's event.data sees it: the XML elements as a flat object (nested ones
 * as objects), CreateTime as a number, every other value as a string, plus `_AppId`.
 */
export function pushToEventData(xml: string, appId: string): Record<string, unknown> {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const read = (el: Element): unknown => {
    if (el.children.length === 0) return (el.textContent ?? '').trim();
    const out: Record<string, unknown> = {};
    for (const child of Array.from(el.children)) out[child.tagName] = read(child);
    return out;
  };
  const data: Record<string, unknown> = {};
  for (const el of Array.from(doc.documentElement.children)) data[el.tagName] = read(el);
  if (typeof data.CreateTime === 'string' && /^\d+$/.test(data.CreateTime))
    data.CreateTime = Number(data.CreateTime);
  data._AppId = appId;
  return data;
}

/** A push's element names, in order (for a table made from a sample push). */
export function pushFieldNames(xml: string): string[] {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  return Array.from(doc.documentElement.children).map((el) => el.tagName);
}
