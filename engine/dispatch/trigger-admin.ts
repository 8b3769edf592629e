import type { EngineStore, StoredTrigger } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import { parseTriggerDefinition, type TriggerDefinition } from '../triggers/index.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { TriggerRegistry } from './trigger-registry.ts';

export class TriggerNotFoundError extends NotFoundError {
  constructor(name: string) {
    super('E_TRIGGER_NOT_FOUND', `No trigger named "${name}".`, { trigger: name });
  }
}

/** Saving, replacing and deleting triggers: validate, store, then refresh the match index. */
export class TriggerAdmin {
  #store: EngineStore;
  #registry: TriggerRegistry;
  #clock: Clock;
  #ids: Ids;

  constructor(deps: { store: EngineStore; registry: TriggerRegistry; clock: Clock; ids: Ids }) {
    this.#store = deps.store;
    this.#registry = deps.registry;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
  }

  create(input: unknown): StoredTrigger {
    const definition = this.#parse(input);
    if (this.#store.triggers.get(definition.name)) {
      throw new ConflictError('E_TRIGGER_EXISTS', `A trigger named "${definition.name}" exists; use PUT /api/v1/triggers/${definition.name} to change it.`, { trigger: definition.name });
    }
    const webhookKey = definition.type === 'webhook' ? this.#ids.secret() : null;
    const saved = this.#store.triggers.create(this.#row(definition, webhookKey), this.#clock.now());
    this.#registry.reload();
    return saved;
  }

  /** PUT: the body is the whole trigger; its name is the one in the path. */
  replace(name: string, input: unknown): StoredTrigger {
    const existing = this.get(name);
    const definition = this.#parse({ ...(input as object), name });
    const webhookKey = definition.type === 'webhook' ? (existing.webhookKey ?? this.#ids.secret()) : null;
    const saved = this.#store.triggers.replace(this.#row(definition, webhookKey), this.#clock.now());
    this.#registry.reload();
    return saved;
  }

  rotateKey(name: string): StoredTrigger {
    const existing = this.get(name);
    if (existing.type !== 'webhook') {
      throw new ConflictError('E_TRIGGER_NOT_WEBHOOK', `Trigger "${name}" is not a webhook trigger and has no key.`, { trigger: name });
    }
    const saved = this.#store.triggers.replace({ ...existing, webhookKey: this.#ids.secret() }, this.#clock.now());
    this.#registry.reload();
    return saved;
  }

  delete(name: string): void {
    if (!this.#store.triggers.delete(name)) throw new TriggerNotFoundError(name);
    this.#registry.reload();
  }

  get(name: string): StoredTrigger {
    const found = this.#store.triggers.get(name);
    if (!found) throw new TriggerNotFoundError(name);
    return found;
  }

  #parse(input: unknown): TriggerDefinition {
    return parseTriggerDefinition(input, { generateSecret: () => this.#ids.secret() });
  }

  #row(definition: TriggerDefinition, webhookKey: string | null) {
    return {
      name: definition.name,
      type: definition.type,
      enabled: definition.enabled,
      definition: definition as unknown as Record<string, unknown>,
      webhookKey,
    };
  }
}
