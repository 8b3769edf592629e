/** A ~2 KB MinCloud-style function body, the size the floors were measured with. */
export function sampleFunction(tag: string): string {
  return `// ${tag}
const FIELDS = ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Event', 'CardId', 'UserCardCode', 'ConsumeSource', 'LocationName', 'StaffOpenId', 'VerifyCode', 'RemarkAmount', 'OuterStr'];
function pick(data, fields) {
  const out = {};
  for (const f of fields) if (data && Object.prototype.hasOwnProperty.call(data, f)) out[f] = data[f];
  return out;
}
function normalise(record) {
  const copy = { ...record };
  if (typeof copy.CreateTime === 'string') copy.CreateTime = Number(copy.CreateTime);
  if (copy.UserCardCode !== undefined) copy.UserCardCode = String(copy.UserCardCode);
  for (const key of Object.keys(copy)) if (copy[key] === '' || copy[key] === null) delete copy[key];
  return copy;
}
function describe(record) {
  const parts = [];
  for (const [k, v] of Object.entries(record)) parts.push(k + '=' + (typeof v === 'object' ? JSON.stringify(v) : String(v)));
  return parts.join(', ');
}
function validate(record) {
  const problems = [];
  if (record.Event !== undefined && typeof record.Event !== 'string') problems.push('Event must be a string');
  if (record.CreateTime !== undefined && !Number.isFinite(record.CreateTime)) problems.push('CreateTime must be a number');
  if (record.UserCardCode !== undefined && record.UserCardCode.length > 64) problems.push('UserCardCode too long');
  return problems;
}
let seen = 0;
exports.main = async function (event) {
  seen++;
  const record = normalise(pick(event.data, FIELDS));
  const problems = validate(record);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, seen, summary: describe(record).length };
};
`;
}

/** The event data the sample function receives. */
export const SAMPLE_DATA = {
  ToUserName: 'gh_1',
  FromUserName: 'o1',
  CreateTime: '1442926343',
  MsgType: 'event',
  Event: 'user_consume_card',
  CardId: 'p1',
  UserCardCode: '12312312',
};
