import { EngineError } from '../errors.ts';
import type { WECHAT_ERRORS } from './error-codes.ts';

/** Every refusal of the WeChat receiver (statuses: ./error-codes.ts). */
export type WechatErrorCode = keyof typeof WECHAT_ERRORS;

export class WechatError extends EngineError {
  declare readonly code: WechatErrorCode;

  constructor(code: WechatErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, { details });
    this.name = 'WechatError';
  }
}

/** E_WECHAT_MALFORMED with the reason in the message and the details. */
export function malformed(reason: string): WechatError {
  return new WechatError('E_WECHAT_MALFORMED', `Malformed push: ${reason}.`, { reason });
}
