// Every sample push in fixtures/wechat parses to the event.data of SPEC §3. The
// expected objects were written by reading each fixture by hand: they pin the pitfalls of
// notes §6–7 (64-bit ids, leading zeros, 23-digit TransId, repeated PicList, empty CDATA,
// whitespace around CDATA, decimals kept as written).
import { describe, expect, it } from 'vitest';
import {
  computeSignature,
  openPush,
  prepareAccount,
  type OpenedPush,
} from '../../../engine/wechat/index.ts';
import { expectWechatError, fixture, fixtureNames, vectors } from './fixtures.ts';

const APP_ID = 'wxfixture00000001';
const TOKEN = 'fixtureToken';
const NOW = 1_714_000_000;

const OA = { ToUserName: 'gh_7f083739789a', FromUserName: 'oia2TjuEGTNoeX76QEjQNrcURxG8' };
const CARD = { ToUserName: 'gh_fc0a06a20993', FromUserName: 'oZI8Fj040-be6rlDohc6gkoPOQTQ' };
const MP = { ToUserName: 'gh_97417a04a28d', FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY' };
const TICKET =
  'gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==';

/** Plaintext fixtures → event.data without `_AppId` (added below). */
const PLAINTEXT: Record<string, Record<string, unknown>> = {
  'text.xml': {
    ...OA,
    CreateTime: 1348831860,
    MsgType: 'text',
    Content: ' 你好 <b>&amp; hi  ', // CDATA content verbatim: not trimmed, not entity-decoded
    MsgId: '24602856263318283',
    MsgDataId: '2247483653',
    Idx: '1',
  },
  'image.xml': {
    ...OA,
    CreateTime: 1348831860,
    MsgType: 'image',
    PicUrl: 'http://mmbiz.qpic.cn/mmbiz_jpg/abc/0',
    MediaId: 'mT9dZkYr2FZ0yq1ZyxQ0c7BxX9bVdQeXk0QyX3tK9wE',
    MsgId: '6054768590064713728',
  },
  'voice.xml': {
    ...OA,
    CreateTime: 1357290913,
    MsgType: 'voice',
    MediaId: 'media_id',
    Format: 'amr',
    MsgId: '6054768590064713729',
    MediaId16K: 'media_id_16k',
  },
  'video.xml': {
    ...OA,
    CreateTime: 1357290913,
    MsgType: 'video',
    MediaId: 'media_id',
    ThumbMediaId: 'thumb_media_id',
    MsgId: '6054768590064713730',
  },
  'shortvideo.xml': {
    ...OA,
    CreateTime: 1357290913,
    MsgType: 'shortvideo',
    MediaId: 'media_id',
    ThumbMediaId: 'thumb_media_id',
    MsgId: '6054768590064713731',
  },
  'location.xml': {
    ...OA,
    CreateTime: 1351776360,
    MsgType: 'location',
    Location_X: '23.134521',
    Location_Y: '113.358803',
    Scale: '20',
    Label: '广州市天河区',
    MsgId: '6054768590064713732',
  },
  'link.xml': {
    ...OA,
    CreateTime: 1351776360,
    MsgType: 'link',
    Title: '公众平台官网链接',
    Description: '公众平台官网链接',
    Url: 'https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1&sn=abc',
    MsgId: '6054768590064713733',
  },
  'event_subscribe.xml': {
    ...OA,
    CreateTime: 1643372079,
    MsgType: 'event',
    Event: 'subscribe',
    EventKey: '',
  },
  'event_subscribe_qrscene.xml': {
    ...OA,
    CreateTime: 123456789,
    MsgType: 'event',
    Event: 'subscribe',
    EventKey: 'qrscene_123123',
    Ticket: TICKET,
  },
  'event_unsubscribe.xml': {
    ...OA,
    CreateTime: 123456789,
    MsgType: 'event',
    Event: 'unsubscribe',
    EventKey: '',
  },
  'event_SCAN.xml': {
    ...OA,
    CreateTime: 123456789,
    MsgType: 'event',
    Event: 'SCAN',
    EventKey: '0123',
    Ticket: TICKET,
  },
  'event_LOCATION.xml': {
    ...OA,
    CreateTime: 123456789,
    MsgType: 'event',
    Event: 'LOCATION',
    Latitude: '23.137466',
    Longitude: '113.352425',
    Precision: '119.385040',
  },
  'event_CLICK.xml': {
    ...OA,
    CreateTime: 123456789,
    MsgType: 'event',
    Event: 'CLICK',
    EventKey: 'V1001_TODAY_MUSIC',
  },
  'event_VIEW.xml': {
    ...OA,
    CreateTime: 123456789,
    MsgType: 'event',
    Event: 'VIEW',
    EventKey: 'https://www.qq.com/?a=1&b=2',
    MenuId: '418723963',
  },
  'event_TEMPLATESENDJOBFINISH.xml': {
    ...OA,
    CreateTime: 1395658920,
    MsgType: 'event',
    Event: 'TEMPLATESENDJOBFINISH',
    MsgID: '3487542469355618313',
    Status: 'failed:user block',
  },
  'card_pass_check.xml': {
    ...CARD,
    CreateTime: 1472551036,
    MsgType: 'event',
    Event: 'card_pass_check',
    CardId: 'pZI8Fjwsy5fVPRBeD78J4RmqVvBc',
    RefuseReason: '',
  },
  'card_not_pass_check.xml': {
    ...CARD,
    CreateTime: 1472551036,
    MsgType: 'event',
    Event: 'card_not_pass_check',
    CardId: 'pZI8Fjwsy5fVPRBeD78J4RmqVvBc',
    RefuseReason: '非法代制',
  },
  'card_pay_order.xml': {
    ToUserName: 'gh_7223c83d4be5',
    FromUserName: 'ob5E7s-HoN9tslQY3-0I4qmgluHk',
    CreateTime: 1453295737,
    MsgType: 'event',
    Event: 'card_pay_order',
    OrderId: '404091456',
    Status: 'ORDER_STATUS_FINANCE_SUCC',
    CreateOrderTime: '1453295737',
    PayFinishTime: '0',
    Desc: '',
    FreeCoinCount: '200',
    PayCoinCount: '0',
    RefundFreeCoinCount: '0',
    RefundPayCoinCount: '0',
    OrderType: 'ORDER_TYPE_SYS_ADD',
    Memo: '开通账户奖励',
    ReceiptInfo: '',
  },
  'card_sku_remind.xml': {
    ToUserName: 'gh_2d62d*****0',
    FromUserName: 'oa3LFuBvWb7*********',
    CreateTime: 1443838506,
    MsgType: 'event',
    Event: 'card_sku_remind',
    CardId: 'pa3LFuAh2P65**********',
    Detail: "the card's quantity is equal to 0",
  },
  'user_get_card.xml': {
    ...CARD,
    CreateTime: 1472551036,
    MsgType: 'event',
    Event: 'user_get_card',
    CardId: 'pZI8Fjwsy5fVPRBeD78J4RmqVvBc',
    IsGiveByFriend: '0',
    UserCardCode: '226009850808',
    FriendUserName: '',
    OuterId: '0',
    OldUserCardCode: '',
    OuterStr: '12b',
    IsRestoreMemberCard: '0',
    IsRecommendByFriend: '0',
    UnionId: 'o6_bmasdasdsad6_2sgVt7hMZOPfL',
  },
  'user_gifting_card.xml': {
    ToUserName: 'gh_3fcea188bf78',
    FromUserName: 'obLatjjwDolFjRRd3doGIdwNqRXw',
    CreateTime: 1474181868,
    MsgType: 'event',
    Event: 'user_gifting_card',
    CardId: 'pbLatjhU-3pik3d4PsbVzvBxZvJc',
    UserCardCode: '297466945104',
    IsReturnBack: '0',
    FriendUserName: 'obLatjlNerkb62HtSdQUx66C4NTU',
    IsChatRoom: '0',
  },
  'user_del_card.xml': {
    ...CARD,
    CreateTime: 1472551036,
    MsgType: 'event',
    Event: 'user_del_card',
    CardId: 'pZI8Fjwsy5fVPRBeD78J4RmqVvBc',
    UserCardCode: '12312312',
  },
  'user_consume_card.xml': {
    ...CARD,
    CreateTime: 1472549042,
    MsgType: 'event',
    Event: 'user_consume_card',
    CardId: 'pZI8Fj8y-E8hpvho2d1ZvpGwQBvA',
    UserCardCode: '452998530302',
    ConsumeSource: 'FROM_API',
    LocationName: '',
    StaffOpenId: 'oZ********nJ3bPJu_Rtjkw4c',
    VerifyCode: '',
    RemarkAmount: '',
    OuterStr: 'xxxxx',
  },
  'user_pay_from_pay_cell.xml': {
    ToUserName: 'gh_e2243xxxxxxx',
    FromUserName: 'oo2VNuOUuZGMxxxxxxxx',
    CreateTime: 1442390947,
    MsgType: 'event',
    Event: 'user_pay_from_pay_cell',
    CardId: 'po2VNuCuRo-8sxxxxxxxxxxx',
    UserCardCode: '38050000000',
    TransId: '10022403432015000000000',
    LocationId: '291710000',
    Fee: '10000',
    OriginalFee: '10000',
  },
  'user_view_card.xml': {
    ToUserName: 'gh_fcxxxx6a20993',
    FromUserName: 'oZI8Fj040-xxxxx6gkoPOQTQ',
    CreateTime: 1467811138,
    MsgType: 'event',
    Event: 'user_view_card',
    CardId: 'pZI8Fj2ezBbxxxxxT2UbiiWLb7Bg',
    UserCardCode: '4xxxxxxxx8558',
    OuterStr: '12b',
  },
  'user_enter_session_from_card.xml': {
    ...CARD,
    CreateTime: 123456789,
    MsgType: 'event',
    Event: 'user_enter_session_from_card',
    CardId: 'pZI8Fjwsy5fVPRBeD78J4RmqVvBc',
    UserCardCode: '12312312',
  },
  'update_member_card.xml': {
    ToUserName: 'gh_9e1765b5568e',
    FromUserName: 'ojZ8YtyVyr30HheH3CM73y7h4jJE',
    CreateTime: 1445507140,
    MsgType: 'event',
    Event: 'update_member_card',
    CardId: 'pjZ8Ytx-nwvpCRyQneH3Ncmh6N94',
    UserCardCode: '485027611252',
    ModifyBonus: '3',
    ModifyBalance: '0',
  },
  'submit_membercard_user_info.xml': {
    ToUserName: 'gh_3fcea188bf78',
    FromUserName: 'obLatjlaNQKb8FqOvt1M1x1lIBFE',
    CreateTime: 1432668700,
    MsgType: 'event',
    Event: 'submit_membercard_user_info',
    CardId: 'pbLatjtZ7v1BG_ZnTjbW85GYc_E8',
    UserCardCode: '018255396048',
  },
  'pic_weixin_duplicate_piclist.xml': {
    ToUserName: 'wx45a0972125658be9',
    FromUserName: 'xiaohe',
    CreateTime: 1502012364,
    MsgType: 'event',
    AgentID: '1000004',
    Event: 'pic_weixin',
    EventKey: 'faceSimilarity',
    SendPicsInfo: {
      // Repeated <PicList> siblings become an array; <item> is always an array.
      PicList: [
        { item: [{ PicMd5Sum: 'aef52ae501537e552725c5d7f99c1741' }] },
        { item: [{ PicMd5Sum: 'c4564632a4fab91378c39bea6aad6f9e' }] },
      ],
      Count: '2',
    },
  },
  'mp_debug_demo_plain.json': {
    ...MP,
    CreateTime: 1714037059,
    MsgType: 'event',
    Event: 'debug_demo',
    debug_str: 'hello world',
  },
  'mp_kf_text.json': {
    ...MP,
    CreateTime: 1482048670,
    MsgType: 'text',
    Content: 'this is a test',
    MsgId: '6054768590064713728', // a bare JSON number above 2^53, kept exact
  },
};

/** Encrypted fixtures, opened with the official vector they belong to. */
const ENCRYPTED: Record<string, { open: () => OpenedPush; data: Record<string, unknown> }> = {
  'encrypted_compat_mode.xml': {
    open: () => openVectorB('encrypted_compat_mode.xml', 'compatible'),
    data: vectorBData(),
  },
  'encrypted_safe_mode.xml': {
    open: () => openVectorB('encrypted_safe_mode.xml', 'safe'),
    data: vectorBData(),
  },
  'mp_debug_demo_safe.json': {
    open: () => {
      const a = vectors.A_safe_post;
      const account = prepareAccount({
        appId: a.appid,
        token: a.token,
        encodingAESKey: a.encodingAESKey,
        mode: 'safe',
      });
      const query = {
        timestamp: a.timestamp,
        nonce: a.nonce,
        encrypt_type: 'aes',
        msg_signature: a.msg_signature,
      };
      return openPush(account, { query, body: fixture(a.body), nowSeconds: Number(a.timestamp) });
    },
    data: {
      ...MP,
      CreateTime: 1714112445,
      MsgType: 'event',
      Event: 'debug_demo',
      debug_str: 'hello world',
      _AppId: vectors.A_safe_post.appid,
    },
  },
};

const ATTACKS = ['attack_xxe.xml', 'attack_billion_laughs.xml'];

function openPlaintext(name: string): OpenedPush {
  const account = prepareAccount({ appId: APP_ID, token: TOKEN, mode: 'plain' });
  const query = {
    signature: computeSignature(TOKEN, String(NOW), '77'),
    timestamp: String(NOW),
    nonce: '77',
  };
  return openPush(account, { query, body: fixture(name), nowSeconds: NOW });
}

function openVectorB(name: string, mode: 'compatible' | 'safe'): OpenedPush {
  const b = vectors.B_wxbizmsgcrypt_sample;
  const account = prepareAccount({
    appId: b.appid,
    token: b.token,
    encodingAESKey: b.encodingAESKey,
    mode,
  });
  const query = {
    timestamp: b.timestamp,
    nonce: b.nonce,
    encrypt_type: 'aes',
    msg_signature: b.msg_signature,
  };
  return openPush(account, { query, body: fixture(name), nowSeconds: Number(b.timestamp) });
}

function vectorBData(): Record<string, unknown> {
  return {
    ToUserName: 'gh_10f6c3c3ac5a',
    FromUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
    CreateTime: 1409735668,
    MsgType: 'text',
    Content: 'abcdteT',
    MsgId: '6054768590064713728',
    _AppId: vectors.B_wxbizmsgcrypt_sample.appid,
  };
}

describe('every fixture in shared/fixtures/wechat', () => {
  it('is covered by this table (a new fixture needs an expected event.data here)', () => {
    const covered = [...Object.keys(PLAINTEXT), ...Object.keys(ENCRYPTED), ...ATTACKS].sort();
    expect(fixtureNames().sort()).toStrictEqual(covered);
  });

  it.each(Object.entries(PLAINTEXT))('%s → event.data', (name, expected) => {
    const opened = openPlaintext(name);
    expect(opened.data).toStrictEqual({ ...expected, _AppId: APP_ID });
    expect(opened.format).toBe(name.endsWith('.json') ? 'json' : 'xml');
  });

  it.each(Object.entries(ENCRYPTED))('%s (encrypted) → event.data', (_name, { open, data }) => {
    expect(open().data).toStrictEqual(data);
  });

  it.each(ATTACKS)('%s is refused as malformed', (name) => {
    const error = expectWechatError(() => openPlaintext(name), 'E_WECHAT_MALFORMED');
    expect(error.status).toBe(400);
  });
});

describe('dedup keys of the fixtures', () => {
  it('use MsgId, or MsgID for template events', () => {
    expect(openPlaintext('text.xml').dedupKey).toBe('msgid:24602856263318283');
    expect(openPlaintext('mp_kf_text.json').dedupKey).toBe('msgid:6054768590064713728');
    const template = openPlaintext('event_TEMPLATESENDJOBFINISH.xml');
    expect(template.dedupKey).toBe('msgid:3487542469355618313');
    expect(template.msgId).toBe('3487542469355618313');
  });

  it('hash the whole message for events, so events of the same user and second stay distinct', () => {
    const keys = Object.keys(PLAINTEXT)
      .filter(
        (name) => PLAINTEXT[name]!.MsgId === undefined && PLAINTEXT[name]!.MsgID === undefined,
      )
      .map((name) => openPlaintext(name).dedupKey);
    for (const key of keys) expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(new Set(keys).size).toBe(keys.length);
    // CLICK, SCAN, LOCATION, VIEW and unsubscribe share FromUserName and CreateTime 123456789.
    expect(openPlaintext('event_CLICK.xml').dedupKey).not.toBe(
      openPlaintext('event_VIEW.xml').dedupKey,
    );
  });

  it('do not depend on how the message was delivered (plain, compatible, safe)', () => {
    expect(openVectorB('encrypted_compat_mode.xml', 'compatible').dedupKey).toBe(
      openVectorB('encrypted_safe_mode.xml', 'safe').dedupKey,
    );
  });
});
