/**
 * Pure handling of a sample push file (XML for official accounts, JSON for mini-programs):
 * parse it as the engine will, rewrite its CreateTime, derive a table schema from it, and
 * recognise the trigger logs it caused.
 */
import { normaliseMessage, parseWechatJson, parseWechatXml } from '../wechat/index.ts';
import type { FieldSpec } from './parse-args.ts';
import { usageError } from './errors.ts';

/** Parses a push the way the receiver does: element name → string (objects, arrays kept). */
export function parsePushSample(text: string, file: string): Record<string, unknown> {
  const trimmed = text.trim();
  try {
    return trimmed.startsWith('{') ? parseWechatJson(trimmed) : parseWechatXml(trimmed);
  } catch (err) {
    throw usageError(
      `${file} is not a WeChat push: ${(err as Error).message}.`,
      'Give a plaintext push, e.g. <xml><ToUserName>…</ToUserName>…</xml>.',
    );
  }
}

/** What a function receives as `event.data` for this push to `appId` (SPEC §3). */
export function eventDataOf(text: string, file: string, appId: string): Record<string, unknown> {
  const message = parsePushSample(text, file);
  try {
    return normaliseMessage(message, appId);
  } catch (err) {
    throw usageError(
      `${file}: ${(err as Error).message}.`,
      'CreateTime must be whole seconds since 1970, e.g. <CreateTime>1713424427</CreateTime>.',
    );
  }
}

/**
 * The push with its CreateTime set to `seconds` (added when missing). String surgery, so the
 * rest of the message — CDATA, 64-bit MsgIds — stays byte for byte as the user wrote it.
 */
export function withCreateTime(text: string, seconds: number): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const field = /("CreateTime"\s*:\s*)("?)\d*\2/;
    if (field.test(trimmed)) return trimmed.replace(field, `$1${seconds}`);
    return trimmed.replace(/^\{/, `{"CreateTime":${seconds},`).replace(/,\s*\}$/, '}');
  }
  const element = /<CreateTime>[\s\S]*?<\/CreateTime>/;
  if (element.test(trimmed)) return trimmed.replace(element, `<CreateTime>${seconds}</CreateTime>`);
  return trimmed.replace(/<\/xml>\s*$/, `<CreateTime>${seconds}</CreateTime></xml>`);
}

/**
 * A table schema for pushes like this one (SPEC §6): a string column per element,
 * `CreateTime` an integer, nested elements objects, repeated ones arrays, plus `_AppId`.
 * Envelope fields of an encrypted sample (`Encrypt`) are left out.
 */
export function schemaFromPush(message: Record<string, unknown>): FieldSpec[] {
  const fields: FieldSpec[] = [];
  for (const [name, value] of Object.entries(message)) {
    if (name === 'Encrypt' || name === '_AppId') continue;
    const type =
      name === 'CreateTime'
        ? 'integer'
        : Array.isArray(value)
          ? 'array'
          : value !== null && typeof value === 'object'
            ? 'object'
            : 'string';
    fields.push({ name, type });
  }
  fields.push({ name: '_AppId', type: 'string' });
  return fields;
}

/**
 * The push with a new random MsgId / MsgID, so the engine sees a new message rather than
 * WeChat retrying one it already took (it runs nothing twice).
 */
export function withFreshMsgId(text: string, random: () => number = Math.random): string {
  const id = `${1 + Math.floor(random() * 9)}${Array.from({ length: 18 }, () => Math.floor(random() * 10)).join('')}`;
  return text
    .replace(/<(MsgId|MsgID)>[\s\S]*?<\/\1>/, `<$1>${id}</$1>`)
    .replace(/("(?:MsgId|MsgID)"\s*:\s*)("?)[\w-]*\2/, `$1"${id}"`);
}
