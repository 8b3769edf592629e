import type { TriggerStore, StoredTrigger } from '../store/index.ts';
import type { TriggerDefinition, TriggerIndex, Action } from '../triggers/index.ts';
import { buildTriggerIndex, matchTriggers, matchReplyTrigger } from '../triggers/index.ts';

export type FiringSource =
  | { type: 'wechat_message'; appId: string }
  | { type: 'table'; table: string; event: 'create' | 'update' | 'delete' }
  | { type: 'timer'; trigger: string }
  | { type: 'webhook'; trigger: string };

export interface Match {
  trigger: TriggerDefinition;
  actionIndex: number;
  action: Action;
}

/**
 * The triggers in force, kept as a match index in memory and rebuilt whenever a trigger
 * is saved or deleted (matching runs on every push, saving is rare).
 */
export class TriggerRegistry {
  #store: TriggerStore;
  #index: TriggerIndex;
  #watchedTables = new Set<string>();
  #listeners = new Set<() => void>();

  #log: { error(obj: object, msg: string): void } | undefined;

  constructor(store: TriggerStore, log?: { error(obj: object, msg: string): void }) {
    this.#store = store;
    this.#log = log;
    this.#index = this.#build();
  }

  /** Call after any change to the stored triggers. */
  reload(): void {
    this.#index = this.#build();
    for (const listener of this.#listeners) listener();
  }

  onReload(listener: () => void): void {
    this.#listeners.add(listener);
  }

  match(source: FiringSource, data: unknown): Match[] {
    return matchTriggers(this.#index, source, data);
  }

  /** Whether any enabled table trigger watches this table (else its changes are not recorded). */
  hasTableTriggers(table: string): boolean {
    return this.#watchedTables.has(table);
  }

  matchReply(appId: string, data: unknown): TriggerDefinition | undefined {
    return matchReplyTrigger(this.#index, appId, data);
  }

  stored(name: string): StoredTrigger | undefined {
    return this.#store.get(name);
  }

  definitions(): TriggerDefinition[] {
    return this.#store.list().map((t) => t.definition as unknown as TriggerDefinition);
  }

  #build(): TriggerIndex {
    const definitions = this.definitions();
    this.#watchedTables = new Set(
      definitions.flatMap((t) => (t.type === 'table' && t.enabled ? [t.condition.table] : [])),
    );
    const index = buildTriggerIndex(definitions);
    for (const { name, reason } of index.skipped)
      this.#log?.error(
        { trigger: name, reason },
        'trigger left out: its stored rules no longer compile; it cannot fire until saved again',
      );
    return index;
  }
}
