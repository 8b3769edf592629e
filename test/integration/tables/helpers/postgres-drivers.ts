/**
 * The TableStore contract's drivers on PostgreSQL: the PostgresTableStore itself and the REST
 * API over it, each on a fresh schema (test/helpers/postgres.ts) dropped when it closes.
 */
import { PostgresTableStore } from '../../../../engine/tables/postgres/table-store.ts';
import { createTestSchema } from '../../../helpers/postgres.ts';
import type { ContractSubject } from '../../../contract/table-store.contract.ts';
import { isolateDriver, restDriver } from './contract-drivers.ts';
import { createGuestIsolate } from './guest-isolate.ts';
import { startRestServer } from './rest-server.ts';

/** A PostgresTableStore on a fresh schema; `cleanup` closes it and drops the schema. */
export async function tempPostgresStore(): Promise<{
  store: PostgresTableStore;
  url: string;
  cleanup: () => Promise<void>;
}> {
  const schema = await createTestSchema('tables');
  const store = await PostgresTableStore.open({ url: schema.url, poolSize: 4 });
  return {
    store,
    url: schema.url,
    cleanup: async () => {
      await store.close();
      await schema.drop();
    },
  };
}

export async function openPostgresDirect(): Promise<ContractSubject> {
  const { store, cleanup } = await tempPostgresStore();
  return { store, events: store, close: cleanup };
}

export async function openPostgresRest(): Promise<ContractSubject> {
  const { store, cleanup } = await tempPostgresStore();
  const rest = await startRestServer(store);
  return {
    store: restDriver(rest),
    events: store,
    supportsCreatedBy: false,
    close: async () => {
      await rest.close();
      await cleanup();
    },
  };
}

/** The guest SDK in a real isolate, its table calls answered asynchronously by PostgreSQL. */
export async function openPostgresIsolate(): Promise<ContractSubject> {
  const { store, cleanup } = await tempPostgresStore();
  const guest = await createGuestIsolate(store, 64, true);
  return {
    store: isolateDriver(store, guest),
    events: store,
    supportsCreatedBy: false,
    close: async () => {
      guest.dispose();
      await cleanup();
    },
  };
}
