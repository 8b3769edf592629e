/**
 * MinCloud's `BaaS.User`: the built-in `_userprofile` table (integer user ids) with the
 * table API (`get`, `setQuery`, `find`, `count`, `getWithoutData(id).set(…).update()`,
 * `select`, `expand`, …) and `getCurrentUserWithoutData()`, the user the run is made for.
 */
import type { Bridge } from './bridge.ts';
import { sdkError } from './errors.ts';
import { TableRecord } from './record.ts';
import { TableObjectImpl } from './table-object.ts';

export const USER_TABLE = '_userprofile';

export class UserImpl extends TableObjectImpl {
  private readonly currentUserId: () => number | null;

  constructor(bridge: Bridge, currentUserId: () => number | null) {
    super(bridge, USER_TABLE);
    this.currentUserId = currentUserId;
  }

  /**
   * The record of the user the run is made for (`event.request.user`). Without one (a push,
   * a timer, an admin invoke without a user) it throws MinCloud's 604 ("session missing").
   */
  getCurrentUserWithoutData(): TableRecord {
    const id = this.currentUserId();
    if (id === null) {
      const err = sdkError(
        'E_USER_NO_CURRENT',
        401,
        'This run is not made for a user: invoke it with a user id to have a current user',
      );
      err.code = 604;
      throw err;
    }
    return new TableRecord(this.bridge, USER_TABLE, String(id));
  }
}
