import type { TriggerIssue } from './errors.ts';
import { splitFieldPath } from './field-path.ts';
import { compileRuleRegex } from './rule-regex.ts';
import { RULE_OPS } from './types.ts';
import type { Rule } from './types.ts';

/**
 * Save-time checks of one rule whose shape zod has already checked: the field path is
 * well-formed and the value suits the op, so a rule that could never be valid is refused
 * with its position (`condition.rules[2].value`) instead of silently never matching.
 */
export function checkRule(rule: Rule, path: string): TriggerIssue[] {
  const issues: TriggerIssue[] = [];
  const bad = (message: string, at = `${path}.value`): void => {
    issues.push({ path: at, message, code: 'E_TRIGGER_INVALID' });
  };
  if (splitFieldPath(rule.field) === null) {
    bad(
      `"${rule.field}" has an empty path segment; write a field name or a dotted path such as "SendPicsInfo.Count"`,
      `${path}.field`,
    );
  }
  const has = Object.hasOwn(rule, 'value') && rule.value !== undefined;
  const { value } = rule;
  switch (rule.op) {
    case '=':
    case '!=':
      if (!has) bad(`"${rule.op}" needs a value (use null to compare with null)`);
      break;
    case '>':
    case '>=':
    case '<':
    case '<=':
      if (typeof value !== 'number' && typeof value !== 'string') {
        bad(`"${rule.op}" needs a number (numeric comparison) or a string (text comparison) value`);
      }
      break;
    case 'in':
      if (!Array.isArray(value) || value.length === 0)
        bad('"in" needs a non-empty array value, e.g. ["subscribe", "SCAN"]');
      break;
    case 'contains':
      if (!has)
        bad(
          '"contains" needs a value: a substring to find in a text field, or an element of an array field',
        );
      break;
    case 'regex': {
      const compiled = compileRuleRegex(value);
      if (!compiled.ok)
        issues.push({
          path: `${path}.value`,
          message: compiled.reason,
          code: 'E_TRIGGER_BAD_REGEX',
        });
      break;
    }
    case 'exists':
    case 'isempty':
      if (has && typeof value !== 'boolean') {
        bad(`"${rule.op}" takes no value, or true/false (false negates it)`);
      }
      break;
    default:
      // Reached only by conditions that skipped the schema (e.g. given straight to matchRules).
      bad(`unknown op ${JSON.stringify(rule.op)}; use one of: ${RULE_OPS.join(' ')}`, `${path}.op`);
  }
  return issues;
}
