import {
  explainMatch,
  renderRecordTemplate,
  triggerSubject,
  type RuleExplanation,
  type TriggerDefinition,
} from '../triggers/index.ts';

export interface DryRun {
  /** True when the event would fire the trigger now. */
  matched: boolean;
  /** Why not, in words: disabled, another account or table, another write event, rules. */
  reasons: string[];
  /** Rule by rule: the value found and, for a failed rule, why. */
  rules: RuleExplanation[];
  /** What each action would do with this event (a table action's filled-in record). */
  actions: Array<Record<string, unknown>>;
}

/**
 * Would `data` (the event.data a function would get) fire this trigger, and why not?
 * Checks what the match index checks (enabled, source, rules) and previews the actions.
 * Frequency limits are not applied: they depend on history, not on the event.
 */
export function dryRun(trigger: TriggerDefinition, data: unknown): DryRun {
  const reasons: string[] = [];
  if (!trigger.enabled) reasons.push('the trigger is disabled');
  reasons.push(...sourceMismatch(trigger, data));
  const subject = triggerSubject(trigger, data);
  const explained =
    trigger.type === 'timer'
      ? { matched: true, rules: [] }
      : explainMatch(trigger.condition, subject);
  if (!explained.matched) {
    const failed = explained.rules.filter((r) => !r.matched).map((r) => r.index);
    const mode = trigger.type === 'timer' ? 'all' : trigger.condition.match;
    reasons.push(mode === 'any' ? 'no rule holds' : `rule(s) ${failed.join(', ')} do not hold`);
  }
  return {
    matched: reasons.length === 0,
    reasons,
    rules: explained.rules,
    actions: trigger.actions.map((a, index) => preview(a, index, subject)),
  };
}

function sourceMismatch(trigger: TriggerDefinition, data: unknown): string[] {
  if (data === null || typeof data !== 'object') return [];
  const d = data as Record<string, unknown>;
  if (
    trigger.type === 'wechat_message' &&
    typeof d._AppId === 'string' &&
    d._AppId !== trigger.condition.appId
  ) {
    return [
      `the push is for account ${d._AppId}; this trigger listens to ${trigger.condition.appId}`,
    ];
  }
  if (trigger.type === 'table') {
    const out: string[] = [];
    if (typeof d.table === 'string' && d.table !== trigger.condition.table) {
      out.push(`the write is to table ${d.table}; this trigger watches ${trigger.condition.table}`);
    }
    if (typeof d.event === 'string' && !(trigger.condition.on as string[]).includes(d.event)) {
      out.push(
        `the write is a ${d.event}; this trigger fires on ${trigger.condition.on.join(', ')}`,
      );
    }
    return out;
  }
  return [];
}

function preview(
  action: TriggerDefinition['actions'][number],
  index: number,
  subject: unknown,
): Record<string, unknown> {
  const frequency = action.frequency ?? 'always';
  switch (action.type) {
    case 'function':
      return { index, type: action.type, function: action.function, frequency };
    case 'table':
      return {
        index,
        type: action.type,
        table: action.table,
        frequency,
        record: renderRecordTemplate(action.record, subject),
      };
    case 'webhook':
      return { index, type: action.type, url: action.url, frequency };
  }
}
