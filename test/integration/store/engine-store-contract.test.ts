import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineStoreContract } from '../../contract/engine-store.contract.ts';
import { openSqliteEngineStore } from '../../../engine/store/index.ts';

// SQLite: one process owns a database (the delivery log keeps its due items in memory), so
// the contract's concurrent calls all go through one instance here (no `another`).
engineStoreContract('SQLite (a temp file)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-engine-store-'));
  const file = path.join(dir, 'engine.db');
  let store = openSqliteEngineStore(file);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = openSqliteEngineStore(file);
      return store;
    },
    close: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
