import { describe } from 'vitest';
import { tableAclContract } from '../../contract/table-acl.contract.ts';
import { postgresAvailable } from '../../helpers/postgres.ts';
import { tempPostgresStore } from './helpers/postgres-drivers.ts';

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)('on PostgreSQL', () => {
  tableAclContract('PostgresTableStore', async () => {
    const { store, cleanup } = await tempPostgresStore();
    return { store, close: cleanup };
  });
});
