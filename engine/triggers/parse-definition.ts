import type { z } from 'zod';
import { checkTimerCondition } from './cron-schedule.ts';
import { TriggerInvalidError } from './errors.ts';
import type { TriggerIssue } from './errors.ts';
import { checkTemplate } from './record-template.ts';
import { checkRule } from './rule-check.ts';
import { DEFAULT_REPLY_BUDGET_MS, triggerSchema } from './schema.ts';
import type { Action, TriggerDefinition } from './types.ts';

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

export interface ParseOptions {
  /** Makes the secret of a webhook action given without one. */
  generateSecret: () => string;
}

/**
 * Validates a trigger definition from the admin API (SPEC §4) and returns it with defaults
 * applied and webhook secrets generated. Refuses with TriggerInvalidError listing every fault
 * with its path (`condition.rules[2].value`), so a trigger that could never work is not saved.
 */
export function parseTriggerDefinition(input: unknown, options: ParseOptions): TriggerDefinition {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TriggerInvalidError([
      {
        path: '',
        message: 'a trigger definition must be a JSON object (SPEC §4)',
        code: 'E_TRIGGER_INVALID',
      },
    ]);
  }
  const parsed = triggerSchema.safeParse(input);
  if (!parsed.success) throw new TriggerInvalidError(parsed.error.issues.flatMap(fromZod));
  const trigger = parsed.data as TriggerDefinition;
  const issues = semanticIssues(trigger);
  if (issues.length > 0) throw new TriggerInvalidError(issues);
  for (const action of trigger.actions) {
    if (action.type === 'webhook' && action.secret === undefined)
      action.secret = options.generateSecret();
  }
  if (trigger.type === 'wechat_message' && trigger.reply === true) {
    trigger.replyBudgetMs ??= DEFAULT_REPLY_BUDGET_MS;
  }
  return trigger;
}

function semanticIssues(trigger: TriggerDefinition): TriggerIssue[] {
  const issues: TriggerIssue[] = [];
  const invalid = (path: string, message: string): void => {
    issues.push({ path, message, code: 'E_TRIGGER_INVALID' });
  };
  if (trigger.type === 'timer') {
    const cron = checkTimerCondition(trigger.condition);
    if (!cron.ok) invalid(cron.path, cron.message);
  } else {
    trigger.condition.rules.forEach((rule, i) =>
      issues.push(...checkRule(rule, `condition.rules[${i}]`)),
    );
  }
  trigger.actions.forEach((action, i) => issues.push(...actionIssues(action, `actions[${i}]`)));
  if (trigger.type === 'table' && trigger.condition.on.includes('create')) {
    // Each record it creates would fire the trigger again, without end.
    const watched = trigger.condition.table.toLowerCase();
    trigger.actions.forEach((a, i) => {
      if (a.type === 'table' && a.table.toLowerCase() === watched) {
        invalid(
          `actions[${i}].table`,
          `this action creates records in "${trigger.condition.table}", whose creation fires this trigger again without end; write to another table`,
        );
      }
    });
  }
  if (trigger.type === 'wechat_message') {
    if (trigger.reply === true) {
      const fns = trigger.actions.filter((a) => a.type === 'function');
      if (fns.length !== 1 || trigger.actions.length !== 1) {
        invalid(
          'actions',
          'a reply trigger has exactly one action, a function, whose result becomes the reply',
        );
      }
      trigger.actions.forEach((a, i) => {
        if (a.frequency !== undefined && a.frequency !== 'always') {
          invalid(
            `actions[${i}].frequency`,
            'a reply trigger answers every matching push; remove frequency',
          );
        }
      });
    } else if (trigger.replyBudgetMs !== undefined) {
      invalid('replyBudgetMs', 'replyBudgetMs only applies with "reply": true');
    }
  }
  return issues;
}

function actionIssues(action: Action, path: string): TriggerIssue[] {
  const issues: TriggerIssue[] = [];
  const invalid = (at: string, message: string): void => {
    issues.push({ path: at, message, code: 'E_TRIGGER_INVALID' });
  };
  if (action.type === 'table') {
    for (const key of Object.keys(action.record)) {
      if (!FIELD_NAME.test(key)) {
        invalid(
          `${path}.record.${key}`,
          `"${key}" is not a field name ([A-Za-z_][A-Za-z0-9_]{0,31})`,
        );
      }
    }
    if (Object.keys(action.record).length === 0)
      invalid(`${path}.record`, 'record needs at least one field');
    for (const p of checkTemplate(action.record, `${path}.record`)) invalid(p.path, p.message);
  }
  if (action.type === 'webhook') {
    const problem = urlProblem(action.url);
    if (problem !== undefined) invalid(`${path}.url`, problem);
  }
  return issues;
}

// Only the static part of the SSRF policy: where the name resolves is checked when sending.
function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not an absolute URL; write https://host/path`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `scheme "${url.protocol}" is not allowed; use https: or http:`;
  if (url.username !== '' || url.password !== '') {
    return 'credentials in the URL are not allowed; authenticate with the signature header instead';
  }
  return undefined;
}

function fromZod(issue: z.core.$ZodIssue): TriggerIssue[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: path === '' ? key : `${path}.${key}`,
      message: `unknown field "${key}"; remove it or check its spelling`,
      code: 'E_TRIGGER_INVALID',
    }));
  }
  return [{ path, message: issue.message, code: 'E_TRIGGER_INVALID' }];
}

/** `['condition', 'rules', 2, 'value']` → `condition.rules[2].value`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
