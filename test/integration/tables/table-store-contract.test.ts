import { tableStoreContract } from '../../contract/table-store.contract.ts';
import { tableScanContract } from '../../contract/table-scan.contract.ts';
import { openDirect, openIsolate, openRest, tempStore } from './helpers/contract-drivers.ts';

tableStoreContract('SqliteTableStore', openDirect);
tableStoreContract('REST API over SqliteTableStore', openRest);
tableStoreContract('guest SDK in an isolate over SqliteTableStore', openIsolate);
tableScanContract('SqliteTableStore', async () => {
  const { store, cleanup } = tempStore();
  return { store, close: cleanup };
});
