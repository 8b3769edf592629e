import { tableStoreContract } from '../../contract/table-store.contract.ts';
import { openDirect, openIsolate, openRest } from './helpers/contract-drivers.ts';

tableStoreContract('SqliteTableStore', openDirect);
tableStoreContract('REST API over SqliteTableStore', openRest);
tableStoreContract('guest SDK in an isolate over SqliteTableStore', openIsolate);
