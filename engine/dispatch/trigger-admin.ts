import type { EngineStore, StoredTrigger } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import {
  checkWebhookTarget,
  parseTriggerDefinition,
  WebhookTargetForbiddenError,
  type HostLookup,
  type TriggerDefinition,
} from '../triggers/index.ts';
import { ValidationError } from '../errors.ts';
import type { TriggerRegistry } from './trigger-registry.ts';
import {
  InUseError,
  TriggerExistsError,
  TriggerNotFoundError,
  TriggerNotWebhookError,
  TriggerReferenceMissingError,
} from './errors.ts';
import {
  missingReferences,
  triggersUsing,
  type MissingReference,
  type ReferenceCatalogue,
  type ReferenceKind,
} from './trigger-references.ts';

/** A save-time DNS answer slower than this is not waited for: the send-time check still runs. */
const SAVE_CHECK_TIMEOUT_MS = 2000;

export interface TriggerAdminDeps {
  store: EngineStore;
  registry: TriggerRegistry;
  clock: Clock;
  ids: Ids;
  /** CLOUDFN_WEBHOOK_ALLOW_PRIVATE: webhook targets on private networks are allowed. */
  webhookAllowPrivate: boolean;
  lookup?: HostLookup;
  /** What exists now: a trigger may only name existing functions, tables and accounts. */
  references: ReferenceCatalogue;
}

/** Saving, replacing, toggling and deleting triggers: validate, store, then refresh the index. */
export class TriggerAdmin {
  #deps: TriggerAdminDeps;

  constructor(deps: TriggerAdminDeps) {
    this.#deps = deps;
  }

  /** POST: a new trigger; a webhook trigger gets its key. */
  async create(input: unknown): Promise<StoredTrigger> {
    const definition = this.#parse(input);
    await this.#checkReferences(definition);
    const { store, ids, clock } = this.#deps;
    const taken = async () => {
      if (await store.triggers.get(definition.name)) throw new TriggerExistsError(definition.name);
    };
    await taken();
    await this.#checkTargets(definition);
    // Again: another create of the same name may have been saved during the DNS lookup.
    await taken();
    const key = definition.type === 'webhook' ? { webhookKey: ids.secret() } : NO_KEY;
    return this.#saved(await store.triggers.create(row(definition, key), clock.now()));
  }

  /**
   * PUT: the body is the whole trigger; its name is the one in the path. A webhook action
   * given without a secret keeps the secret it had (same position, same URL), so saving a
   * trigger as GET showed it minus the secrets does not break its receivers.
   */
  async replace(name: string, input: unknown): Promise<StoredTrigger> {
    const existing = await this.get(name);
    const definition = this.#parse(withKeptSecrets({ ...(input as object), name }, existing));
    await this.#checkReferences(definition);
    await this.#checkTargets(definition);
    // Read again after the DNS lookup: the trigger may have been deleted or its key rotated.
    const current = await this.get(name);
    // The key is kept (as its hash) when there is one; a trigger that becomes a webhook gets one.
    const key =
      definition.type !== 'webhook'
        ? NO_KEY
        : current.webhookKeyHash !== null
          ? { webhookKeyHash: current.webhookKeyHash, webhookKeyHint: current.webhookKeyHint }
          : { webhookKey: this.#deps.ids.secret() };
    return this.#saved(
      await this.#deps.store.triggers.replace(row(definition, key), this.#deps.clock.now()),
    );
  }

  /**
   * Enables or disables a trigger without touching the rest of it. Enabling checks its
   * references as a save does: what it names may have been deleted (with force) while it was
   * off, and an enabled trigger naming nothing would only dead-letter its firings.
   */
  async setEnabled(name: string, enabled: boolean): Promise<StoredTrigger> {
    const existing = await this.get(name);
    if (enabled) await this.#checkReferences(existing.definition);
    const definition = { ...existing.definition, enabled };
    return this.#saved(
      await this.#deps.store.triggers.replace(
        { ...existing, enabled, definition },
        this.#deps.clock.now(),
      ),
    );
  }

  /** A new incoming-webhook key; the old one stops working at once. */
  async rotateKey(name: string): Promise<StoredTrigger> {
    const existing = await this.get(name);
    if (existing.type !== 'webhook') throw new TriggerNotWebhookError(name);
    return this.#saved(
      await this.#deps.store.triggers.replace(
        { ...existing, webhookKey: this.#deps.ids.secret() },
        this.#deps.clock.now(),
      ),
    );
  }

  async delete(name: string): Promise<void> {
    if (!(await this.#deps.store.triggers.delete(name))) throw new TriggerNotFoundError(name);
    await this.#deps.registry.reload();
  }

  /**
   * Validates a definition as POST (or PUT, with `name`) would, references included, without
   * saving it: the dry run of a deploy. Answers the trigger as it would be saved.
   */
  async validate(input: unknown, name?: string): Promise<TriggerDefinition> {
    const existing = name === undefined ? undefined : await this.get(name);
    const body = name === undefined ? input : { ...(input as object), name };
    const definition = this.#parse(
      existing ? withKeptSecrets(body as Record<string, unknown>, existing) : body,
    );
    if (!existing && (await this.#deps.store.triggers.get(definition.name)))
      throw new TriggerExistsError(definition.name);
    await this.#checkReferences(definition);
    await this.#checkTargets(definition);
    return definition;
  }

  /** References of a saved trigger that name nothing now (deleted with force, or raced). */
  async missing(name: string): Promise<MissingReference[]> {
    const { definition } = await this.get(name);
    return missingReferences(definition, this.#deps.references);
  }

  /** Names of the triggers that name this function, table or account (from the registry). */
  usersOf(kind: ReferenceKind, name: string): string[] {
    return triggersUsing(this.#deps.registry.all(), kind, name);
  }

  /**
   * Before a function, table or account is deleted: refused (409 E_IN_USE, listing the
   * triggers) while triggers name it, unless forced; a forced delete leaves those triggers
   * to dead-letter their firings with E_FUNCTION_NOT_FOUND / E_TABLE_NOT_FOUND.
   */
  assertUnused(kind: ReferenceKind, name: string, force: boolean): void {
    if (force) return;
    const users = this.usersOf(kind, name);
    if (users.length > 0) throw new InUseError(kind, name, users);
  }

  async get(name: string): Promise<StoredTrigger> {
    const found = await this.#deps.store.triggers.get(name);
    if (!found) throw new TriggerNotFoundError(name);
    return found;
  }

  async #saved(saved: StoredTrigger): Promise<StoredTrigger> {
    await this.#deps.registry.reload();
    return saved;
  }

  async #checkReferences(definition: TriggerDefinition): Promise<void> {
    const missing = await missingReferences(definition, this.#deps.references);
    if (missing.length > 0) throw new TriggerReferenceMissingError(missing);
  }

  #parse(input: unknown): TriggerDefinition {
    return parseTriggerDefinition(input, { generateSecret: () => this.#deps.ids.secret() });
  }

  /**
   * Early feedback: a webhook target that resolves to a private address is refused when the
   * trigger is saved, not only at its first delivery. A name that does not resolve (yet) is
   * accepted; every delivery checks again anyway.
   */
  async #checkTargets(definition: TriggerDefinition): Promise<void> {
    const { webhookAllowPrivate: allowPrivate, lookup } = this.#deps;
    const checks = definition.actions.map(async (action, i) => {
      if (action.type !== 'webhook') return;
      const check = checkWebhookTarget(action.url, { allowPrivate, ...(lookup ? { lookup } : {}) });
      const timeout = new Promise<void>((resolve) =>
        setTimeout(resolve, SAVE_CHECK_TIMEOUT_MS).unref(),
      );
      try {
        await Promise.race([check, timeout]);
      } catch (err) {
        if (err instanceof WebhookTargetForbiddenError) {
          const path = `actions[${i}].url`;
          throw new ValidationError(err.code, `${path}: ${err.message}`, { ...err.details, path });
        }
      } finally {
        check.catch(() => undefined);
      }
    });
    await Promise.all(checks);
  }
}

/** A trigger's incoming-webhook key: a new one in clear, the stored hash and hint, or none. */
type KeyFields = { webhookKey: string } | Pick<StoredTrigger, 'webhookKeyHash' | 'webhookKeyHint'>;
const NO_KEY: KeyFields = { webhookKeyHash: null, webhookKeyHint: null };

function row(definition: TriggerDefinition, key: KeyFields) {
  return {
    name: definition.name,
    type: definition.type,
    enabled: definition.enabled,
    definition,
    webhookKeyHash: null,
    webhookKeyHint: null,
    ...key,
  };
}

/** Copies the stored secret into webhook actions given without one, by position and URL. */
function withKeptSecrets(
  input: Record<string, unknown>,
  existing: StoredTrigger,
): Record<string, unknown> {
  const before = existing.definition.actions;
  if (!Array.isArray(input.actions)) return input;
  const actions = input.actions.map((action: unknown, i) => {
    const old = before[i];
    if (old?.type !== 'webhook' || old.secret === undefined) return action;
    if (action === null || typeof action !== 'object') return action;
    const a = action as Record<string, unknown>;
    return a.type === 'webhook' && a.url === old.url && a.secret === undefined
      ? { ...a, secret: old.secret }
      : action;
  });
  return { ...input, actions };
}
