/**
 * Triggers (SPEC §4, issue 6): the trigger model and its validation, rule matching, the
 * match index, record templates, frequency and back-off arithmetic, webhook signing and the
 * SSRF policy. Pure except checkWebhookTarget (DNS). Storage, queues and delivery live in
 * engine/dispatch, which calls these.
 */

export type {
  Action,
  Frequency,
  FunctionAction,
  MatchMode,
  MatchedAction,
  RetryPolicy,
  Rule,
  RuleCondition,
  RuleOp,
  TableAction,
  TableCondition,
  TableEvent,
  TableTrigger,
  TimerCondition,
  TimerTrigger,
  TriggerDefinition,
  TriggerSource,
  TriggerType,
  WebhookAction,
  WebhookCondition,
  WebhookTrigger,
  WechatMessageCondition,
  WechatMessageTrigger,
} from './types.ts';
export { RULE_OPS, TABLE_EVENTS } from './types.ts';
export type { TriggerIssue } from './errors.ts';
export {
  DurationInvalidError,
  TriggerInvalidError,
  WebhookTargetForbiddenError,
  WebhookTargetUnresolvedError,
} from './errors.ts';
export type { ParseOptions } from './parse-definition.ts';
export type { RuleExplanation } from './match-rules.ts';
export type { TriggerIndex } from './trigger-index.ts';
export type { FrequencyState } from './frequency.ts';
export type { CheckedWebhookTarget, HostLookup } from './webhook-target.ts';
export { DEFAULT_REPLY_BUDGET_MS, MAX_REPLY_BUDGET_MS } from './schema.ts';
export { MAX_RETRY_DELAY_MS } from './backoff.ts';

import { backoffDelayMs as backoff, isFinalAttempt as finalAttempt } from './backoff.ts';
import { nextFireTimes as nextFires } from './cron-schedule.ts';
import { parseDuration as duration } from './duration.ts';
import { frequencyAllows as allows } from './frequency.ts';
import { explainMatch as explain, matchRules as match } from './match-rules.ts';
import { parseTriggerDefinition as parse } from './parse-definition.ts';
import { isPrivateAddress as isPrivate } from '../outbound/private-address.ts';
import { renderRecordTemplate as render } from './record-template.ts';
import {
  buildTriggerIndex as build,
  matchReplyTrigger as matchReply,
  matchTriggers as matchAll,
} from './trigger-index.ts';
import { triggerSubject as subject } from './trigger-subject.ts';
import { eventTypeOf as eventType, laneOf as lane } from './delivery-route.ts';
import { functionEventOf as functionEvent } from './table-function-event.ts';
import { checkWebhookTarget as checkTarget } from './webhook-target.ts';
import { signWebhookBody as sign, verifyWebhookSignature as verify } from './webhook-signature.ts';

/** Validates a trigger from the admin API; defaults applied, webhook secrets generated. */
export const parseTriggerDefinition = parse;
/** Whether an event satisfies a condition's rules (`match` all/any; no rules match all). */
export const matchRules = match;
/** Rule-by-rule result of matchRules with the value found and why a rule failed (dry-run). */
export const explainMatch = explain;
/** What rules and templates of a source read: event.data, or the row for table sources. */
export const triggerSubject = subject;
/** `event.data` and `event.change` of a function action: the record for table sources. */
export const functionEventOf = functionEvent;
export type { TableChangeView } from './table-function-event.ts';
/** Builds the match index of the enabled triggers. */
export const buildTriggerIndex = build;
/** The actions to run for an event from a source (passive-reply triggers excluded). */
export const matchTriggers = matchAll;
/** The first enabled passive-reply trigger of an account that matches the push. */
export const matchReplyTrigger = matchReply;
/** Fills a table action's record template from the event. */
export const renderRecordTemplate = render;
/** The concurrency lane of a firing: one per function, else one per trigger action. */
export const laneOf = lane;
/** The `event.eventType` a function sees for a trigger type (SPEC §5). */
export const eventTypeOf = eventType;
/** Whether an action's frequency lets it fire now. */
export const frequencyAllows = allows;
/** Milliseconds of "500ms", "10s", "10m", "1h", "1d". */
export const parseDuration = duration;
/** Wait after a failed attempt (1-based): backoff × 2^(attempt-1), capped at one hour. */
export const backoffDelayMs = backoff;
/** True when the failed attempt was the last allowed one (the firing goes to dead letter). */
export const isFinalAttempt = finalAttempt;
/** `sha256=<hex HMAC-SHA256>` of a webhook body, the X-Cloudfn-Signature header. */
export const signWebhookBody = sign;
/** Constant-time check of an X-Cloudfn-Signature header. */
export const verifyWebhookSignature = verify;
/** True for loopback, private, link-local, reserved and multicast addresses (and non-IPs). */
export const isPrivateAddress = isPrivate;
/** Refuses webhook targets by scheme, credentials or private resolved address (SSRF). */
export const checkWebhookTarget = checkTarget;
/** The next `count` fire times of a timer condition strictly after `after`. */
export const nextFireTimes = nextFires;
