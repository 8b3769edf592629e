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
 * The triggers in force, kept in memory with their match index and rebuilt whenever a
 * trigger is saved or deleted (matching runs on every push, saving is rare). Attempts read
 * their trigger here too, not from the store.
 */
export class TriggerRegistry {
  #store: TriggerStore;
  #stored = new Map<string, StoredTrigger>();
  #index: TriggerIndex;
  #watchedTables = new Set<string>();
  #listeners = new Set<() => void>();

  #log: { error(obj: object, msg: string): void } | undefined;

  private constructor(store: TriggerStore, log?: { error(obj: object, msg: string): void }) {
    this.#store = store;
    this.#log = log;
    this.#index = buildTriggerIndex([]);
  }

  /** A registry holding the stored triggers. */
  static async load(
    store: TriggerStore,
    log?: { error(obj: object, msg: string): void },
  ): Promise<TriggerRegistry> {
    const registry = new TriggerRegistry(store, log);
    await registry.#read();
    return registry;
  }

  /** Call after any change to the stored triggers. */
  async reload(): Promise<void> {
    await this.#read();
    for (const listener of this.#listeners) listener();
  }

  async #read(): Promise<void> {
    const all = await this.#store.list();
    this.#stored = new Map(all.map((t) => [t.name, t]));
    this.#index = this.#build();
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

  /** The trigger as last read from the store (its definition, when it was saved). */
  stored(name: string): StoredTrigger | undefined {
    return this.#stored.get(name);
  }

  /** Every stored trigger (enabled or not), by name. */
  all(): StoredTrigger[] {
    return [...this.#stored.values()];
  }

  definitions(): TriggerDefinition[] {
    return [...this.#stored.values()].map((t) => t.definition);
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
