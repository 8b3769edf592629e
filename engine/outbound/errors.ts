/** Refusals and failures of functions' outgoing HTTP (fetch, BaaS.request). */
import { EngineError } from '../errors.ts';

export type OutboundCode =
  | 'E_OUTBOUND_FORBIDDEN'
  | 'E_OUTBOUND_UNRESOLVED'
  | 'E_OUTBOUND_UNREACHABLE'
  | 'E_OUTBOUND_TIMEOUT'
  | 'E_OUTBOUND_TOO_LARGE'
  | 'E_OUTBOUND_LIMIT'
  | 'E_OUTBOUND_BAD_REQUEST'
  | 'E_OUTBOUND_REDIRECT';

const STATUS: Record<OutboundCode, number> = {
  E_OUTBOUND_FORBIDDEN: 400,
  E_OUTBOUND_UNRESOLVED: 502,
  E_OUTBOUND_UNREACHABLE: 502,
  E_OUTBOUND_TIMEOUT: 504,
  E_OUTBOUND_TOO_LARGE: 413,
  E_OUTBOUND_LIMIT: 429,
  E_OUTBOUND_BAD_REQUEST: 400,
  E_OUTBOUND_REDIRECT: 400,
};

export class OutboundError extends EngineError {
  constructor(code: OutboundCode, message: string, details?: Record<string, unknown>) {
    super(code, message, { status: STATUS[code], details });
    this.name = 'OutboundError';
  }
}
