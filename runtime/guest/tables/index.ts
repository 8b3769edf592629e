/**
 * The guest side of data tables: MinCloud's `BaaS.TableObject` and `BaaS.Query`, running
 * INSIDE the isolate. It imports nothing from Node or the engine; its only way out is the
 * `call(op, args)` the prelude passes in, for the operations of ops.ts (JSON-able values both
 * ways; the answer at once or a promise of it; a refusal thrown or rejected as an Error
 * carrying `code` and `status`).
 */
import { Bridge, type HostCall } from './bridge.ts';
import { Query } from './query.ts';
import { TableRecord } from './record.ts';
import { TableObjectImpl } from './table-object.ts';
import { UserImpl } from './user.ts';
import { GeoPoint, GeoPolygon } from './geo.ts';
import {
  ContentCategoryImpl,
  ContentGroupImpl,
  ContentImpl,
  contentGroupStatics,
} from './content.ts';

export type { HostCall, SdkResponse } from './bridge.ts';
export type { TableSdkError } from './errors.ts';
export { Query, TableRecord, TableObjectImpl, UserImpl };

/** `new BaaS.TableObject(idOrName)`; also callable without `new`. */
export interface TableObjectConstructor {
  new (idOrName: string | number): TableObjectImpl;
  (idOrName: string | number): TableObjectImpl;
  prototype: TableObjectImpl;
}

/** `new BaaS.User()`; also callable without `new`. */
export interface UserConstructor {
  new (): UserImpl;
  (): UserImpl;
  prototype: UserImpl;
}

export interface TableApi {
  TableObject: TableObjectConstructor;
  Query: typeof Query;
  TableRecord: typeof TableRecord;
  User: UserConstructor;
  GeoPoint: typeof GeoPoint;
  GeoPolygon: typeof GeoPolygon;
  Content: (groupID: number) => ContentImpl;
  ContentCategory: (groupID: number) => ContentCategoryImpl;
  ContentGroup: ((groupID: number) => ContentGroupImpl) & ReturnType<typeof contentGroupStatics>;
}

/**
 * Builds the table SDK on the host's `call(op, args)`; `currentUserId` tells the
 * user the running job is made for (null when none).
 */
export function createTableApi(
  call: HostCall,
  currentUserId: () => number | null = () => null,
): TableApi {
  const bridge = new Bridge(call);
  // A plain function so that both `new TableObject(x)` and `TableObject(x)` work: returning
  // an object from a function called with `new` makes that object the result.
  const TableObject = function TableObject(idOrName: string | number): TableObjectImpl {
    return new TableObjectImpl(bridge, idOrName);
  } as unknown as TableObjectConstructor;
  TableObject.prototype = TableObjectImpl.prototype;
  const User = function User(): UserImpl {
    return new UserImpl(bridge, currentUserId);
  } as unknown as UserConstructor;
  User.prototype = UserImpl.prototype;
  // Plain functions, like TableObject: `new X(id)` and `X(id)` both work.
  const Content = function Content(groupID: number): ContentImpl {
    return new ContentImpl(bridge, groupID);
  };
  Content.prototype = ContentImpl.prototype;
  const ContentCategory = function ContentCategory(groupID: number): ContentCategoryImpl {
    return new ContentCategoryImpl(bridge, groupID);
  };
  ContentCategory.prototype = ContentCategoryImpl.prototype;
  const ContentGroup = Object.assign(function ContentGroup(groupID: number): ContentGroupImpl {
    return new ContentGroupImpl(bridge, groupID);
  }, contentGroupStatics(bridge));
  ContentGroup.prototype = ContentGroupImpl.prototype;
  return {
    TableObject,
    Query,
    TableRecord,
    User,
    GeoPoint,
    GeoPolygon,
    Content,
    ContentCategory,
    ContentGroup,
  };
}
