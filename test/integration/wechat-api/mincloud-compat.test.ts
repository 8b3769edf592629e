// MinCloud's names for WeChat calls: a function written like MinCloud's lottery example
// (draw among the entries, then BaaS.sendTemplateMessage to the winners by user id) runs
// unchanged; wxAccessToken takes MinCloud's signKey argument; the account is chosen as
// docs/wechat.md says when several have an AppSecret.
import { afterEach, describe, expect, it } from 'vitest';
import { buildPush, sendPush } from '../../helpers/wechat-push.ts';
import { APP_ID, deploy, invoke, startWechatSetup, type WechatSetup } from './setup.ts';

let s: WechatSetup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

// Written as for MinCloud (callback style, MinCloud's table SDK and sendTemplateMessage).
const LOTTERY = `
exports.main = function lottery(event, callback) {
  const Entries = new BaaS.TableObject('lottery_entries')
  Entries.limit(1000).find().then(res => {
    const pool = res.data.objects.map(entry => entry.user_id)
    const winners = []
    while (winners.length < event.data.prizes && pool.length > 0) {
      winners.push(pool.splice(Math.floor(Math.random() * pool.length), 1)[0])
    }
    return BaaS.sendTemplateMessage({
      recipient_type: 'user_list',
      user_list: winners,
      template_id: 'tadfDf23asdi8dfd',
      submission_type: 'form_id',
      page: 'pages/index/index',
      keywords: {
        keyword1: { value: '一等奖' },
        keyword2: { value: '50.5' },
      },
    }).then(res => callback(null, { winners, sent: res.data.sent }))
  }).catch(err => callback(err))
}`;

describe('MinCloud compatibility', () => {
  it('the lottery example draws winners and sends each a template message', async () => {
    s = await startWechatSetup();
    const { t, fake } = s;
    await t.api('POST', '/tables', {
      name: 'userprofile',
      fields: [
        { name: 'user_id', type: 'integer' },
        { name: 'openid', type: 'string' },
      ],
    });
    await t.api('POST', '/tables', {
      name: 'lottery_entries',
      fields: [{ name: 'user_id', type: 'integer' }],
    });
    for (let id = 1; id <= 10; id++) {
      await t.api('POST', '/tables/userprofile/records', {
        user_id: id,
        openid: `oUserOpenid${id}`,
      });
      await t.api('POST', '/tables/lottery_entries/records', { user_id: id });
    }
    await deploy(t, 'lottery', LOTTERY);
    const answer = await invoke(t, 'lottery', { prizes: 3 });
    expect(answer.status).toBe('fulfilled');
    const { winners, sent } = answer.data as { winners: number[]; sent: number };
    expect(sent).toBe(3);
    expect(new Set(winners).size).toBe(3);
    expect(fake.callsTo('/cgi-bin/message/template/send').map((c) => c.body)).toEqual(
      winners.map((id) => ({
        touser: `oUserOpenid${id}`,
        template_id: 'tadfDf23asdi8dfd',
        data: { keyword1: { value: '一等奖' }, keyword2: { value: '50.5' } },
        miniprogram: { appid: APP_ID, pagepath: 'pages/index/index' },
      })),
    );
  });

  it('a user id without an openid in userprofile fails before anything is sent', async () => {
    s = await startWechatSetup();
    const { t, fake } = s;
    await t.api('POST', '/tables', {
      name: 'userprofile',
      fields: [
        { name: 'user_id', type: 'integer' },
        { name: 'openid', type: 'string' },
      ],
    });
    await deploy(
      t,
      'missing',
      `exports.main = async () => BaaS.sendTemplateMessage({ recipient_type: 'user_id',
        user_id: 42, template_id: 'T', keywords: { keyword1: { value: 'x' } } })`,
    );
    const answer = await invoke(t, 'missing');
    expect(answer.error).toMatchObject({
      code: 'E_WECHAT_API_BAD_ARGS',
      message: 'No openid for user 42 in table "userprofile"',
    });
    expect(fake.count('/cgi-bin/message/template/send')).toBe(0);
  });
});

describe('BaaS.wxCensorText', () => {
  it("resolves MinCloud's {data: {risky}} from WeChat's msgSecCheck, version 1 and 2", async () => {
    s = await startWechatSetup();
    const { t, fake } = s;
    await deploy(
      t,
      'censor',
      `exports.main = async function (event) {
        return [
          (await BaaS.wxCensorText('hello')).data.risky,
          (await BaaS.wxCensorText('some RISKY words')).data.risky,
          (await BaaS.wxCensorText('RISKY', { openid: 'oUser1234', scene: 2 })).data.risky,
        ];
      }`,
    );
    expect((await invoke(t, 'censor')).data).toEqual([false, true, true]);
    expect(fake.callsTo('/wxa/msg_sec_check').map((c) => c.body)).toEqual([
      { content: 'hello' },
      { content: 'some RISKY words' },
      { content: 'RISKY', version: 2, scene: 2, openid: 'oUser1234' },
    ]);
  });
});

describe('choosing the account', () => {
  const OTHER = 'wx0000000000000002';
  const accounts = {
    [APP_ID]: 'secret-one-0000000000000000000000',
    [OTHER]: 'secret-two-0000000000000000000000',
  };

  it('with several AppSecrets: the explicit appId, else the pushing account, else refused', async () => {
    s = await startWechatSetup({ accounts });
    const { t, fake } = s;
    await deploy(
      t,
      'which',
      `exports.main = async (event) => {
        try { return (await BaaS.wxAccessToken(event.signKey, event.data.appId ? { appId: event.data.appId } : undefined)).access_token; }
        catch (e) { return e.reason; }
      }`,
    );
    expect((await invoke(t, 'which')).data).toBe('E_WECHAT_API_ACCOUNT_AMBIGUOUS');
    expect((await invoke(t, 'which', { appId: OTHER })).data).toBe(`TOKEN_${OTHER}_1`);
    expect((await invoke(t, 'which', { appId: 'wxunknown' })).data).toBe('E_WECHAT_API_NO_SECRET');

    // A push of APP_ID: its run uses APP_ID's token without being told.
    await t.api('POST', '/triggers', {
      name: 'which',
      type: 'wechat_message',
      condition: { appId: APP_ID, match: 'all', rules: [] },
      actions: [{ type: 'function', function: 'which' }],
    });
    const xml = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser1234]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`;
    await sendPush(t.engine.url, APP_ID, buildPush({ appId: APP_ID, token: 'spamtest' }, xml));
    await t.engine.settled();
    const jobs = (await t.api('GET', '/functions/which/jobs')).body.objects;
    expect(jobs[0]).toMatchObject({ status: 'fulfilled', result: `TOKEN_${APP_ID}_2` });
    expect(fake.callsTo('/cgi-bin/token').map((c) => c.query.appid)).toEqual([OTHER, APP_ID]);
  });

  it('without any AppSecret: E_WECHAT_API_NO_SECRET, and the secret is never echoed', async () => {
    s = await startWechatSetup({ accounts: {} });
    const { t } = s;
    await deploy(t, 'tok', `exports.main = async () => BaaS.wxAccessToken()`);
    expect((await invoke(t, 'tok')).error).toMatchObject({ code: 'E_WECHAT_API_NO_SECRET' });
    const put = await t.api('PUT', `/wechat/accounts/${APP_ID}`, {
      token: 'spamtest',
      appSecret: 'do-not-echo-me',
    });
    expect(put.body).toMatchObject({ appId: APP_ID, hasAppSecret: true });
    expect(JSON.stringify(put.body)).not.toContain('do-not-echo-me');
    const got = await t.api('GET', `/wechat/accounts/${APP_ID}`);
    expect(JSON.stringify(got.body)).not.toContain('do-not-echo-me');
    // A later PUT without appSecret keeps it; null removes it.
    await t.api('PUT', `/wechat/accounts/${APP_ID}`, { token: 'spamtest2' });
    expect((await t.api('GET', `/wechat/accounts/${APP_ID}`)).body.hasAppSecret).toBe(true);
    await t.api('PUT', `/wechat/accounts/${APP_ID}`, { token: 'spamtest2', appSecret: null });
    expect((await t.api('GET', `/wechat/accounts/${APP_ID}`)).body.hasAppSecret).toBe(false);
  });
});
