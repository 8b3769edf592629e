/**
 * The contract of the table operations a function may ask of the host: their names, and the
 * arguments and results that cross the bridge as JSON. The guest SDK (bridge.ts and the
 * classes that call it) is written against it, and so is the host implementation
 * (engine/tables/host-ops.ts, whose schemas must accept exactly these arguments). Runs inside
 * the isolate: imports nothing, and the engine imports it type-only.
 */

/** A table by name, or by its numeric id. */
export type TableRef = string | number;
/** A record id: 24 hex characters, or a user id in `_userprofile`. */
export type RecordId = string | number;
/** A JSON object: record data, a `where` (MinCloud's query JSON), an update document. */
export type JsonObject = Record<string, unknown>;

export interface Paging {
  limit?: number;
  offset?: number;
}

/** A stored record as the host answers it (plus its fields). */
export interface RecordJson extends JsonObject {
  id: RecordId;
  created_at: number;
  updated_at: number;
  created_by: number | null;
}

/** MinCloud's bulk answer (createMany, update and delete by query). */
export interface BulkJson {
  succeed: number;
  total_count: number;
  offset?: number;
  limit?: number;
  next?: string | null;
  operation_result: Array<{
    success?: { id: RecordId; created_at?: number; updated_at?: number };
  }>;
}

/** A page of records (`find`). */
export interface ListJson {
  meta: {
    limit: number;
    offset: number;
    total_count?: number;
    next?: string | null;
    previous?: string | null;
  };
  objects: RecordJson[];
}

/** Each operation: what the guest sends (`args`) and what the host answers (`result`). */
export interface TableOps {
  'table.create': { args: { table: TableRef; data: JsonObject }; result: RecordJson };
  'table.createMany': { args: { table: TableRef; items: unknown[] }; result: BulkJson };
  'table.get': {
    args: { table: TableRef; id: RecordId; keys?: string[]; expand?: string[] };
    result: RecordJson;
  };
  'table.update': {
    args: { table: TableRef; id: RecordId; update: JsonObject };
    result: RecordJson;
  };
  'table.updateWhere': {
    args: { table: TableRef; where: JsonObject; update: JsonObject } & Paging;
    result: BulkJson;
  };
  'table.delete': { args: { table: TableRef; id: RecordId }; result: null };
  'table.deleteWhere': { args: { table: TableRef; where: JsonObject } & Paging; result: BulkJson };
  'table.find': {
    args: {
      table: TableRef;
      where?: JsonObject;
      orderBy?: string[];
      keys?: string[];
      expand?: string[];
      withCount?: boolean;
    } & Paging;
    result: ListJson;
  };
  'table.count': { args: { table: TableRef; where?: JsonObject }; result: number };
}

export type TableOpName = keyof TableOps;
export type TableOpArgs<K extends TableOpName> = TableOps[K]['args'];
export type TableOpResult<K extends TableOpName> = TableOps[K]['result'];
