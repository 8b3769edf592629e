/**
 * Every code an EngineError can carry, with the HTTP status it is answered with: the areas'
 * catalogues (each `<area>/error-codes.ts`, which import nothing) gathered in one object, so
 * that `EngineError.code` is a union of known codes and a throw site names only its code.
 * docs/errors.md has a row for each (test/unit/error-catalogue.test.ts).
 */
import { HTTP_ERRORS } from './http/error-codes.ts';
import { CONSOLE_ERRORS } from './http/console/error-codes.ts';
import { LIMIT_ERRORS } from './limits/error-codes.ts';
import { FUNCTION_ERRORS } from './functions/error-codes.ts';
import { WECHAT_ERRORS } from './wechat/error-codes.ts';
import { WECHAT_API_ERRORS } from './wechat-api/error-codes.ts';
import { OUTBOUND_ERRORS } from './outbound/error-codes.ts';
import { SECRETS_ERRORS } from './secrets/error-codes.ts';
import { STORE_ERRORS } from './store/error-codes.ts';
import { TRIGGER_ERRORS } from './triggers/error-codes.ts';
import { DISPATCH_ERRORS } from './dispatch/error-codes.ts';
import { TABLE_ERRORS } from './tables/error-codes.ts';
import { MIGRATE_ERRORS } from './migrate/error-codes.ts';
import { RUNTIME_ERRORS } from '../runtime/error-codes.ts';

/** Codes of the composition root and the receiver, which have no catalogue of their own. */
export const ENGINE_ERRORS = {
  E_CONFIG_INVALID: 400,
  E_EVENT_NOT_STORABLE: 400,
  E_HOST_REQUEST_UNKNOWN: 400,
} as const;

/** Each area's catalogue by name (for the docs check). */
export const ERROR_CATALOGUES = {
  engine: ENGINE_ERRORS,
  http: HTTP_ERRORS,
  console: CONSOLE_ERRORS,
  limits: LIMIT_ERRORS,
  functions: FUNCTION_ERRORS,
  runtime: RUNTIME_ERRORS,
  wechat: WECHAT_ERRORS,
  wechatApi: WECHAT_API_ERRORS,
  outbound: OUTBOUND_ERRORS,
  secrets: SECRETS_ERRORS,
  store: STORE_ERRORS,
  triggers: TRIGGER_ERRORS,
  dispatch: DISPATCH_ERRORS,
  tables: TABLE_ERRORS,
  migrate: MIGRATE_ERRORS,
} as const;

type Catalogues = typeof ERROR_CATALOGUES;
type Merged = { [A in keyof Catalogues]: Catalogues[A] }[keyof Catalogues];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;

export const ERROR_STATUS = Object.assign({}, ...Object.values(ERROR_CATALOGUES)) as Readonly<
  UnionToIntersection<Merged>
>;

/** Every catalogued code. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The codes answered with `status` (NotFoundError takes only 404 ones, …). */
export type CodeWithStatus<S extends number> = {
  [C in ErrorCode]: (typeof ERROR_STATUS)[C] extends S ? C : never;
}[ErrorCode];
