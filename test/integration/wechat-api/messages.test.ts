// BaaS.wechat calls from functions on a real engine against the fake WeChat API: each request
// body is exactly the one WeChat documents (examples of the cited pages), WeChat's errcodes
// become HError-like errors, the account is chosen as documented, and BaaS.wechat.reply
// answers a push's user with a customer-service message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPush, sendPush } from '../../helpers/wechat-push.ts';
import { APP_ID, deploy, invoke, startWechatSetup, type WechatSetup } from './setup.ts';

let s: WechatSetup;
beforeAll(async () => {
  s = await startWechatSetup();
});
afterAll(async () => {
  await s?.close();
});

/** Runs `body` (the inside of an async main) and returns the function's answer. */
async function run(name: string, body: string, data: unknown = {}) {
  await deploy(s.t, name, `exports.main = async (event) => { ${body} }`);
  return invoke(s.t, name, data);
}

const lastBody = (path: string) => s.fake.callsTo(path).at(-1)!.body;

describe('messages, with the bodies WeChat documents', () => {
  it('a template message (official account)', async () => {
    // The example of the template-message page, sent as it is.
    const message = {
      touser: 'OPENID_0001',
      template_id: 'ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY',
      url: 'http://weixin.qq.com/download',
      miniprogram: { appid: 'xiaochengxuappid12345', pagepath: 'index?foo=bar' },
      client_msg_id: 'MSG_000001',
      data: {
        keyword1: { value: '巧克力' },
        keyword2: { value: '39.8元' },
        keyword3: { value: '2014年9月22日' },
      },
    };
    const answer = await run(
      'template',
      `return BaaS.wechat.sendTemplateMessage(event.data);`,
      message,
    );
    expect(answer.status).toBe('fulfilled');
    expect(answer.data).toMatchObject({ errcode: 0, errmsg: 'ok', msgid: expect.any(Number) });
    expect(lastBody('/cgi-bin/message/template/send')).toEqual(message);
    expect(s.fake.callsTo('/cgi-bin/message/template/send').at(-1)!.query.access_token).toMatch(
      /^TOKEN_/,
    );
  });

  it('a subscribe message (mini-program)', async () => {
    const message = {
      touser: 'OPENID_0002',
      template_id: 'TEMPLATE_ID',
      page: 'index',
      miniprogram_state: 'developer',
      lang: 'zh_CN',
      data: {
        number01: { value: '339208499' },
        date01: { value: '2015年01月05日' },
        site01: { value: 'TIT创意园' },
        site02: { value: '广州市新港中路397号' },
      },
    };
    const answer = await run(
      'subscribe',
      `return BaaS.wechat.sendSubscribeMessage(event.data);`,
      message,
    );
    expect(answer.data).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(lastBody('/cgi-bin/message/subscribe/send')).toEqual(message);
  });

  it('customer-service messages: text, image, news, miniprogrampage', async () => {
    const messages = [
      { touser: 'OPENID_0003', msgtype: 'text', text: { content: 'Hello World' } },
      { touser: 'OPENID_0003', msgtype: 'image', image: { media_id: 'MEDIA_ID' } },
      {
        touser: 'OPENID_0003',
        msgtype: 'news',
        news: {
          articles: [
            {
              title: 'Happy Day',
              description: 'Is Really A Happy Day',
              url: 'URL',
              picurl: 'PIC_URL',
            },
          ],
        },
      },
      {
        touser: 'OPENID_0003',
        msgtype: 'miniprogrampage',
        miniprogrampage: {
          title: 'title',
          appid: 'appid',
          pagepath: 'pagepath',
          thumb_media_id: 'thumb_media_id',
        },
      },
    ];
    const answer = await run(
      'custom',
      `const out = [];
       for (const m of event.data.messages) out.push(await BaaS.wechat.sendCustomerMessage(m));
       return out;`,
      { messages },
    );
    expect(answer.data).toEqual(Array(4).fill({ errcode: 0, errmsg: 'ok' }));
    expect(
      s.fake
        .callsTo('/cgi-bin/message/custom/send')
        .slice(-4)
        .map((c) => c.body),
    ).toEqual(messages);
  });

  it('user info by openid, and a media upload', async () => {
    const answer = await run(
      'user',
      `const user = await BaaS.wechat.getUserInfo('OPENID_0004');
       const media = await BaaS.wechat.uploadMedia({
         type: 'image', filename: 'a.png', contentType: 'image/png',
         data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) });
       return { user, media };`,
    );
    expect(answer.data.user).toMatchObject({ openid: 'OPENID_0004', subscribe: 1 });
    expect(s.fake.callsTo('/cgi-bin/user/info').at(-1)!.query).toMatchObject({
      openid: 'OPENID_0004',
      lang: 'zh_CN',
    });
    expect(answer.data.media).toMatchObject({ type: 'image', media_id: expect.any(String) });
    const upload = s.fake.callsTo('/cgi-bin/media/upload').at(-1)!;
    expect(upload.query.type).toBe('image');
    expect(upload.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload.body).toContain('name="media"; filename="a.png"');
    expect(upload.body).toContain('\x89PNG');
  });

  it('a call with arguments WeChat would refuse fails first with E_WECHAT_API_BAD_ARGS', async () => {
    const before = s.fake.calls.length;
    const answer = await run(
      'bad',
      `try { await BaaS.wechat.sendCustomerMessage({ touser: 'OPENID_0005', msgtype: 'text', text: {} }); }
       catch (e) { return { reason: e.reason, message: e.message }; }`,
    );
    expect(answer.data).toEqual({
      reason: 'E_WECHAT_API_BAD_ARGS',
      message: 'text.content is required',
    });
    expect(s.fake.calls.length).toBe(before);
  });
});

describe("WeChat's errors", () => {
  it('arrive as err.code (errcode), err.message (errmsg) and a stable err.reason', async () => {
    s.fake.refuseSubscribe('OPENID_REFUSED');
    s.fake.setQuota('/cgi-bin/message/custom/send', 0);
    const answer = await run(
      'errors',
      `const out = [];
       const grab = async (p) => { try { await p; out.push('ok'); } catch (e) {
         out.push({ code: e.code, message: e.message, reason: e.reason }); } };
       await grab(BaaS.wechat.sendSubscribeMessage({ touser: 'OPENID_REFUSED', template_id: 'T',
         data: { thing1: { value: 'x' } } }));
       await grab(BaaS.wechat.sendCustomerMessage({ touser: 'OPENID_0006', msgtype: 'text',
         text: { content: 'hi' } }));
       return out;`,
    );
    s.fake.setQuota('/cgi-bin/message/custom/send', 1_000_000);
    expect(answer.data).toEqual([
      {
        code: 43101,
        message: 'user refuse to accept the msg',
        reason: 'E_WECHAT_API_USER_REFUSED',
      },
      { code: 45009, message: 'reach max api daily quota limit', reason: 'E_WECHAT_API_QUOTA' },
    ]);
  });
});

describe('async replies past the passive-reply budget', () => {
  it('BaaS.wechat.reply answers the pushing user with a customer-service message', async () => {
    await deploy(
      s.t,
      'echo',
      `exports.main = async (event) => BaaS.wechat.reply(event, '你说：' + event.data.Content)`,
    );
    const trigger = await s.t.api('POST', '/triggers', {
      name: 'echo',
      type: 'wechat_message',
      condition: {
        appId: APP_ID,
        match: 'all',
        rules: [{ field: 'MsgType', op: '=', value: 'text' }],
      },
      actions: [{ type: 'function', function: 'echo' }],
    });
    expect(trigger.status).toBe(201);
    const xml = `<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQNrcURxG8]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content><MsgId>24602856263318283</MsgId></xml>`;
    const pushed = await sendPush(
      s.t.engine.url,
      APP_ID,
      buildPush({ appId: APP_ID, token: 'spamtest' }, xml),
    );
    expect(pushed).toEqual({ status: 200, text: 'success' });
    await s.t.engine.settled();
    expect(lastBody('/cgi-bin/message/custom/send')).toEqual({
      touser: 'oia2TjuEGTNoeX76QEjQNrcURxG8',
      msgtype: 'text',
      text: { content: '你说：你好' },
    });
    const jobs = await s.t.api('GET', '/functions/echo/jobs');
    expect(jobs.body.objects[0]).toMatchObject({ status: 'fulfilled' });
  });
});
