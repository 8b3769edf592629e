import { useState } from 'preact/hooks';
import { api, ApiError, type Page } from '../lib/api.ts';
import type { Frequency, Trigger, TriggerAction } from '../lib/trigger-types.ts';
import {
  buildRules,
  rowsOf,
  RULE_OPS,
  RuleInputError,
  type RuleOp,
  type RuleRow,
} from '../lib/rule-builder.ts';
import type { FunctionInfo } from '../lib/function-types.ts';
import { t } from '../i18n/index.ts';
import { useAction, useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { patchAt, removeAt } from '../lib/rows.ts';
import { MatchSelect, RemoveRowButton } from '../components/row-controls.tsx';
import { NumberField } from '../components/number-field.tsx';

const PUSH_FIELDS = [
  'Event',
  'MsgType',
  'FromUserName',
  'ToUserName',
  'CreateTime',
  'EventKey',
  'Content',
  'CardId',
  'UserCardCode',
  'MsgId',
  '_AppId',
];

interface ActionRow {
  type: TriggerAction['type'];
  target: string;
  frequency: 'always' | 'once' | 'atMostEvery';
  every: string;
  /** A table action's record template, as JSON text. */
  record: string;
}

const frequencyOf = (row: ActionRow): Frequency =>
  row.frequency === 'atMostEvery' ? { atMostEvery: row.every } : row.frequency;

function actionRow(a: TriggerAction): ActionRow {
  const f = a.frequency ?? 'always';
  return {
    type: a.type,
    target:
      a.type === 'function'
        ? (a.function ?? '')
        : a.type === 'table'
          ? (a.table ?? '')
          : (a.url ?? ''),
    frequency: typeof f === 'object' ? 'atMostEvery' : f,
    every: typeof f === 'object' ? f.atMostEvery : '10m',
    record: JSON.stringify(a.record ?? {}, null, 2),
  };
}

function recordOf(row: ActionRow, index: number): unknown {
  try {
    return JSON.parse(row.record) as unknown;
  } catch (err) {
    throw new ApiError(400, 'E_CONSOLE_BAD_JSON', (err as Error).message, {
      field: `actions[${index}].record`,
    });
  }
}

/** The rule builder (所有/任一, operators, dotted paths) with actions, 触发频率 and retry. */
export function TriggerEditor(props: { name: string; saved: Trigger | null; onSaved: () => void }) {
  const s = props.saved;
  const [type, setType] = useState<Trigger['type']>(s?.type ?? 'wechat_message');
  const [appId, setAppId] = useState(s?.condition.appId ?? '');
  const [table, setTable] = useState(s?.condition.table ?? '');
  const [on, setOn] = useState<string[]>(s?.condition.on ?? ['create']);
  const [cron, setCron] = useState(s?.condition.cron ?? '0 * * * *');
  const [match, setMatch] = useState<'all' | 'any'>(s?.condition.match ?? 'all');
  const [rules, setRules] = useState<RuleRow[]>(
    s?.condition.rules ? rowsOf(s.condition.rules) : [{ field: 'Event', op: '=', value: '' }],
  );
  const [actions, setActions] = useState<ActionRow[]>(
    s?.actions.map(actionRow) ?? [
      { type: 'function', target: '', frequency: 'always', every: '10m', record: '{}' },
    ],
  );
  const [attempts, setAttempts] = useState(String(s?.retry?.attempts ?? 3));
  const [backoff, setBackoff] = useState(s?.retry?.backoff ?? '1s');
  const [badRow, setBadRow] = useState<number | null>(null);
  const accounts = useLoad(() => api.get<Page<{ appId: string }>>('/wechat/accounts'), []);
  const functions = useLoad(() => api.get<Page<FunctionInfo>>('/functions?limit=1000'), []);
  const save = useAction();

  const setRule = (i: number, patch: Partial<RuleRow>) => setRules(patchAt(rules, i, patch));
  const setAction = (i: number, patch: Partial<ActionRow>) =>
    setActions(patchAt(actions, i, patch));

  const submit = (e: Event) => {
    e.preventDefault();
    setBadRow(null);
    void save.run(async () => {
      let built;
      try {
        built = buildRules(rules);
      } catch (err) {
        if (err instanceof RuleInputError) {
          setBadRow(err.index);
          throw new ApiError(400, 'E_CONSOLE_BAD_RULE', err.message, {
            field: `rules[${err.index}]`,
          });
        }
        throw err;
      }
      const condition =
        type === 'wechat_message'
          ? { appId, match, rules: built }
          : type === 'table'
            ? { table, on, match, rules: built }
            : type === 'timer'
              ? { cron }
              : { match, rules: built };
      const body = {
        name: props.name,
        type,
        enabled: s?.enabled ?? true,
        condition,
        actions: actions.map((a, i) => ({
          type: a.type,
          ...(a.type === 'function'
            ? { function: a.target }
            : a.type === 'table'
              ? { table: a.target, record: recordOf(a, i) }
              : { url: a.target }),
          frequency: frequencyOf(a),
        })),
        retry: { attempts: Number(attempts), backoff },
      };
      if (s) await api.put(`/triggers/${encodeURIComponent(props.name)}`, body);
      else await api.post('/triggers', body);
      props.onSaved();
    });
  };

  return (
    <form class="card trigger-editor" onSubmit={submit}>
      <label>
        {t('trg.type')}
        <select
          name="type"
          value={type}
          onChange={(e) => setType(e.currentTarget.value as Trigger['type'])}
          disabled={s !== null}
        >
          {(['wechat_message', 'table', 'timer', 'webhook'] as const).map((ty) => (
            <option value={ty}>{t(`trgType.${ty}`)}</option>
          ))}
        </select>
      </label>
      {type === 'wechat_message' ? (
        <label>
          {t('trg.account')}
          <select name="appId" value={appId} onChange={(e) => setAppId(e.currentTarget.value)}>
            <option value="">—</option>
            {accounts.data?.objects.map((a) => (
              <option value={a.appId}>{a.appId}</option>
            ))}
          </select>
        </label>
      ) : null}
      {type === 'table' ? (
        <div class="inline">
          <label>
            {t('nav.tables')}
            <input name="table" value={table} onInput={(e) => setTable(e.currentTarget.value)} />
          </label>
          {['create', 'update', 'delete'].map((ev) => (
            <label class="check">
              <input
                type="checkbox"
                checked={on.includes(ev)}
                onChange={(e) =>
                  setOn(e.currentTarget.checked ? [...on, ev] : on.filter((x) => x !== ev))
                }
              />
              {ev}
            </label>
          ))}
        </div>
      ) : null}
      {type === 'timer' ? (
        <label>
          cron
          <input name="cron" value={cron} onInput={(e) => setCron(e.currentTarget.value)} />
        </label>
      ) : (
        <fieldset>
          <legend>
            {t('trg.rules')} <MatchSelect name="match" value={match} onChange={setMatch} />
          </legend>
          <datalist id="push-fields">
            {PUSH_FIELDS.map((f) => (
              <option value={f} />
            ))}
          </datalist>
          {rules.map((r, i) => (
            <div class={`rule-row ${badRow === i ? 'bad' : ''}`} data-rule={i}>
              <input
                list="push-fields"
                aria-label={t('trg.field')}
                placeholder={t('trg.fieldHint')}
                value={r.field}
                onInput={(e) => setRule(i, { field: e.currentTarget.value })}
              />
              <select
                aria-label={t('trg.op')}
                value={r.op}
                onChange={(e) => setRule(i, { op: e.currentTarget.value as RuleOp })}
              >
                {RULE_OPS.map((op) => (
                  <option value={op}>{t(`ruleOp.${op}`)}</option>
                ))}
              </select>
              <input
                aria-label={t('trg.value')}
                value={r.value}
                onInput={(e) => setRule(i, { value: e.currentTarget.value })}
              />
              <RemoveRowButton onRemove={() => setRules(removeAt(rules, i))} />
            </div>
          ))}
          <button
            type="button"
            class="small secondary"
            onClick={() => setRules([...rules, { field: '', op: '=', value: '' }])}
          >
            {t('trg.addRule')}
          </button>
        </fieldset>
      )}
      <fieldset>
        <legend>{t('trg.actions')}</legend>
        {actions.map((a, i) => (
          <div class="action-row" data-action-row={i}>
            <select
              aria-label={t('trg.actionType')}
              value={a.type}
              onChange={(e) =>
                setAction(i, { type: e.currentTarget.value as ActionRow['type'], target: '' })
              }
            >
              <option value="function">{t('nav.functions')}</option>
              <option value="table">{t('nav.tables')}</option>
              <option value="webhook">Webhook</option>
            </select>
            {a.type === 'function' ? (
              <select
                aria-label={t('nav.functions')}
                name={`action-${i}-function`}
                value={a.target}
                onChange={(e) => setAction(i, { target: e.currentTarget.value })}
              >
                <option value="">—</option>
                {functions.data?.objects.map((f) => (
                  <option value={f.name}>{f.name}</option>
                ))}
              </select>
            ) : (
              <input
                aria-label={t('trg.target')}
                value={a.target}
                onInput={(e) => setAction(i, { target: e.currentTarget.value })}
              />
            )}
            <label>
              {t('trg.frequency')}
              <select
                value={a.frequency}
                onChange={(e) =>
                  setAction(i, { frequency: e.currentTarget.value as ActionRow['frequency'] })
                }
              >
                <option value="always">{t('freq.always')}</option>
                <option value="once">{t('freq.once')}</option>
                <option value="atMostEvery">{t('freq.atMostEvery')}</option>
              </select>
            </label>
            {a.frequency === 'atMostEvery' ? (
              <input
                aria-label={t('freq.atMostEvery')}
                size={6}
                value={a.every}
                onInput={(e) => setAction(i, { every: e.currentTarget.value })}
              />
            ) : null}
            {actions.length > 1 ? (
              <RemoveRowButton onRemove={() => setActions(removeAt(actions, i))} />
            ) : null}
            {a.type === 'table' ? (
              <textarea
                class="json"
                rows={4}
                aria-label={t('trg.recordTemplate')}
                placeholder={t('trg.recordTemplate')}
                value={a.record}
                onInput={(e) => setAction(i, { record: e.currentTarget.value })}
              />
            ) : null}
          </div>
        ))}
        <button
          type="button"
          class="small secondary"
          onClick={() =>
            setActions([
              ...actions,
              { type: 'function', target: '', frequency: 'always', every: '10m', record: '{}' },
            ])
          }
        >
          {t('trg.addAction')}
        </button>
      </fieldset>
      <div class="inline">
        <NumberField
          label={t('trg.retryAttempts')}
          min={1}
          max={10}
          value={attempts}
          onInput={setAttempts}
        />
        <label>
          {t('trg.retryBackoff')}
          <input size={6} value={backoff} onInput={(e) => setBackoff(e.currentTarget.value)} />
        </label>
      </div>
      <button type="submit" data-action="save-trigger" disabled={save.busy}>
        {t('common.save')}
      </button>
      <ErrorBox error={save.error} />
    </form>
  );
}
