import { describe } from 'vitest';
import { tableStoreContract } from '../../contract/table-store.contract.ts';
import { postgresAvailable } from '../../helpers/postgres.ts';
import {
  openPostgresDirect,
  openPostgresIsolate,
  openPostgresRest,
} from './helpers/postgres-drivers.ts';

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)('on PostgreSQL', () => {
  tableStoreContract('PostgresTableStore', openPostgresDirect);
  tableStoreContract('REST API over PostgresTableStore', openPostgresRest);
  tableStoreContract('guest SDK in an isolate over PostgresTableStore', openPostgresIsolate);
});
