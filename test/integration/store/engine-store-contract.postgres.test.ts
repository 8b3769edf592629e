import crypto from 'node:crypto';
import { describe } from 'vitest';
import { engineStoreContract } from '../../contract/engine-store.contract.ts';
import { openPostgresEngineStore } from '../../../engine/store/postgres/index.ts';
import type { EngineStore } from '../../../engine/store/index.ts';
import { createSecretBox } from '../../../engine/secrets/secret-box.ts';
import { createTestSchema, postgresAvailable } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();

// The EngineStore contract on PostgreSQL: a fresh schema for each test, and a second store
// instance (its own pools: another engine process) on the same schema for the concurrent parts.
describe.skipIf(!pgUp)('PostgreSQL', () => {
  engineStoreContract('PostgreSQL', async () => {
    const schema = await createTestSchema('contract');
    const secrets = createSecretBox(crypto.randomBytes(32));
    const opened: EngineStore[] = [];
    const openOne = async (): Promise<EngineStore> => {
      const store = await openPostgresEngineStore(schema.url, { secrets, poolSize: 4 });
      opened.push(store);
      return store;
    };
    let current = await openOne();
    return {
      store: current,
      another: openOne,
      async reopen() {
        await current.close();
        opened.splice(opened.indexOf(current), 1);
        current = await openOne();
        return current;
      },
      async close() {
        await Promise.all(opened.map((s) => s.close()));
        await schema.drop();
      },
    };
  });
});
