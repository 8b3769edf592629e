/**
 * The trigger model of SPEC §4, as it is after parseTriggerDefinition: validated, with
 * defaults applied, so nothing downstream re-checks it. Plain JSON (no RegExp, no Date):
 * the store keeps it as it is and the admin API echoes it back.
 */

export const RULE_OPS = [
  '=',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
  'in',
  'contains',
  'regex',
  'exists',
  'isempty',
] as const;
export type RuleOp = (typeof RULE_OPS)[number];

/** One test on a field of the event: `{"field": "Event", "op": "=", "value": "subscribe"}`. */
export interface Rule {
  field: string;
  op: RuleOp;
  value?: unknown;
}

export type MatchMode = 'all' | 'any';

export interface RuleSet {
  match: MatchMode;
  rules: Rule[];
}

export interface WechatMessageCondition extends RuleSet {
  appId: string;
}

export const TABLE_EVENTS = ['create', 'update', 'delete'] as const;
export type TableEvent = (typeof TABLE_EVENTS)[number];

export interface TableCondition extends RuleSet {
  table: string;
  on: TableEvent[];
}

export interface TimerCondition {
  cron: string;
  timezone?: string;
}

export type WebhookCondition = RuleSet;

/** What the matcher needs of a condition: rules and how to combine them. */
export type RuleCondition = { match?: MatchMode; rules?: Rule[] };

/** `"always"` (the default), `"once"` ever, or at most once per duration. */
export type Frequency = 'always' | 'once' | { atMostEvery: string };

export interface FunctionAction {
  type: 'function';
  function: string;
  frequency?: Frequency;
}

export interface TableAction {
  type: 'table';
  table: string;
  /** A template of the record: `{"openid": "{{FromUserName}}"}` (see record-template.ts). */
  record: Record<string, unknown>;
  frequency?: Frequency;
}

export interface WebhookAction {
  type: 'webhook';
  url: string;
  /** Always set after parsing: generated when the user gave none. */
  secret?: string;
  frequency?: Frequency;
}

export type Action = FunctionAction | TableAction | WebhookAction;

export interface RetryPolicy {
  /** Total attempts, the first included (1..10). */
  attempts: number;
  /** Delay before the second attempt; doubles for each later one (duration string). */
  backoff: string;
}

interface TriggerBase {
  name: string;
  enabled: boolean;
  description?: string;
  actions: Action[];
  retry: RetryPolicy;
}

export interface WechatMessageTrigger extends TriggerBase {
  type: 'wechat_message';
  condition: WechatMessageCondition;
  /** Passive reply: the single function action runs before WeChat is answered. */
  reply?: boolean;
  /** Budget of a passive reply in ms (default 4000, max 4500). */
  replyBudgetMs?: number;
}

export interface TableTrigger extends TriggerBase {
  type: 'table';
  condition: TableCondition;
}

export interface TimerTrigger extends TriggerBase {
  type: 'timer';
  condition: TimerCondition;
}

export interface WebhookTrigger extends TriggerBase {
  type: 'webhook';
  condition: WebhookCondition;
}

export type TriggerDefinition = WechatMessageTrigger | TableTrigger | TimerTrigger | WebhookTrigger;
export type TriggerType = TriggerDefinition['type'];

/** Where an event came from; selects the triggers that can match it. */
export type TriggerSource =
  | { type: 'wechat_message'; appId: string }
  | { type: 'table'; table: string; event: TableEvent }
  | { type: 'timer'; trigger: string }
  | { type: 'webhook'; trigger: string };

/** One action to run because its trigger matched. */
export interface MatchedAction {
  trigger: TriggerDefinition;
  actionIndex: number;
  action: Action;
}
