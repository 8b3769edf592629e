import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asyncTableStore } from '../../../engine/tables/async-adapter.ts';
import { SqliteTableStore } from '../../../engine/tables/sqlite/table-store.ts';
import { tableAclContract } from '../../contract/table-acl.contract.ts';

tableAclContract('SqliteTableStore', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cloudfn-acl-'));
  const store = new SqliteTableStore({ path: path.join(dir, 'tables.db') });
  return {
    store: asyncTableStore(store),
    close: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
