import { describe } from 'vitest';
import { tableStoreContract } from '../../contract/table-store.contract.ts';
import { postgresAvailable } from '../../helpers/postgres.ts';
import {
  openPostgresDirect,
  openPostgresIsolate,
  openPostgresRest,
  tempPostgresStore,
} from './helpers/postgres-drivers.ts';
import { tableScanContract } from '../../contract/table-scan.contract.ts';

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)('on PostgreSQL', () => {
  tableStoreContract('PostgresTableStore', openPostgresDirect);
  tableStoreContract('REST API over PostgresTableStore', openPostgresRest);
  tableStoreContract('guest SDK in an isolate over PostgresTableStore', openPostgresIsolate);
});

describe.skipIf(!pgUp)('scan on PostgreSQL', () => {
  tableScanContract('PostgresTableStore', async () => {
    const { store, cleanup } = await tempPostgresStore();
    return { store, close: cleanup };
  });
});
