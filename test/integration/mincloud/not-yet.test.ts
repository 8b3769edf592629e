import { describe, it } from 'vitest';

// The pages of MinCloud's server-SDK docs that the compatibility suite does not cover yet,
// each with the reason (docs/mincloud.md lists the same). Covered pages have their own
// files here: schema, user, select-and-expand, acl, geo, content, functions (error, cloud-function,
// server-date, start/nodejs-event-loop), trigger.
describe('MinCloud server-SDK pages not covered yet', () => {
  it.todo(
    'request.md, access-token.md, template-message/**, subscribe-message/** — the WeChat API services, built by the wxapi helper; their suite belongs with them',
  );
  it.todo(
    'user-group.md and super-group.md (user groups, the `gid:` of ACLs) — cloudfn has no user groups yet: `gid:` entries are kept on records and admit nobody',
  );
  it.todo(
    'schema/operation.md (TableObject.exportData/importData: file jobs) — use the admin export route or cloudfn tables export/import instead',
  );
  it.todo(
    'user.md account fields (_username, _email, _phone, _password, _provider) and UserRecord.setAccount — cloudfn has no login of its own, so users carry no credentials (docs/mincloud.md)',
  );
  it.todo(
    'async-job.md (operations on everything, run asynchronously) — cloudfn bulk operations touch at most 1000 records per call and answer synchronously',
  );
  it.todo(
    'file/*.md, censor.md, wxacode.md and the other media pages — cloudfn has no file storage',
  );
  it.todo(
    'sms/**, email.md, order.md, red-pack.md, wechat-profit-sharing.md, wx-promotion-transfer.md, alipay-*.md, bytedance-qr-code.md, qq-censor.md — outside services (SMS, mail, payment) cloudfn does not provide',
  );
  it.todo(
    'wx-decrypt-data.md, wx-update-user-info.md, user-risk-rank.md, url-scheme, wechat-livestreaming, private-message.md — WeChat APIs not offered yet',
  );
});
