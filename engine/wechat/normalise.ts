import { malformed } from './errors.ts';

// Seconds since the epoch; 15 digits keeps any value exact as a JS number.
const CREATE_TIME = /^\d{1,15}$/;

/**
 * Turns a parsed message (all leaves strings) into SPEC §3's `event.data`: `CreateTime` a
 * number, everything else untouched, `_AppId` added. Mutates and returns `message`, which
 * the parsers create fresh for each push.
 */
export function normaliseMessage(
  message: Record<string, unknown>,
  appId: string,
): Record<string, unknown> {
  const createTime = message.CreateTime;
  if (createTime !== undefined) {
    if (typeof createTime !== 'string' || !CREATE_TIME.test(createTime)) {
      throw malformed('CreateTime is not an integer number of seconds');
    }
    message.CreateTime = Number(createTime);
  }
  message._AppId = appId;
  return message;
}
