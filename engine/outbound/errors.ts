/** Refusals and failures of functions' outgoing HTTP (fetch, BaaS.request). */
import { EngineError } from '../errors.ts';
import type { OUTBOUND_ERRORS } from './error-codes.ts';

export type OutboundCode = keyof typeof OUTBOUND_ERRORS;

export class OutboundError extends EngineError {
  constructor(code: OutboundCode, message: string, details?: Record<string, unknown>) {
    super(code, message, { details });
    this.name = 'OutboundError';
  }
}
