/**
 * event.data of real pushes from fixtures/wechat, as the receiver produces them
 * (test/unit/wechat/fixture-data.test.ts checks the parsing; here they feed the matcher).
 */

/** user_consume_card.xml */
export const CONSUME_CARD = {
  ToUserName: 'gh_fc0a06a20993',
  FromUserName: 'oZI8Fj040-be6rlDohc6gkoPOQTQ',
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
  _AppId: 'wx2c2769f8efd9abc2',
};

/** pic_weixin_duplicate_piclist.xml: nested elements and repeated siblings. */
export const PIC_WEIXIN = {
  ToUserName: 'wx45a0972125658be9',
  FromUserName: 'xiaohe',
  CreateTime: 1502012364,
  MsgType: 'event',
  AgentID: '1000004',
  Event: 'pic_weixin',
  EventKey: 'faceSimilarity',
  SendPicsInfo: {
    PicList: [
      { item: [{ PicMd5Sum: 'aef52ae501537e552725c5d7f99c1741' }] },
      { item: [{ PicMd5Sum: 'c4564632a4fab91378c39bea6aad6f9e' }] },
    ],
    Count: '2',
  },
};

/** mp_kf_text.json: a mini-program text message whose MsgId exceeds 2^53. */
export const MP_TEXT = {
  ToUserName: 'gh_3a7d5fa0d8e6',
  FromUserName: 'oEmXZ4tThzXbrUZo4VM2ybd1dgG8',
  CreateTime: 1482048670,
  MsgType: 'text',
  Content: 'this is a test',
  MsgId: '6054768590064713728',
};
