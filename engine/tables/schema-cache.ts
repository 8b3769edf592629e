import type { TableInfo } from './table-info.ts';

/**
 * A catalog's cache of table schemas, by id and by name (case-insensitive); each backend
 * decides when it goes stale and clears it.
 */
export class SchemaCache {
  private readonly byId = new Map<number, TableInfo>();
  private readonly byName = new Map<string, TableInfo>();

  /** How a reference reads: an integer id (number or digit string), else a lower-cased name. */
  static keyOf(ref: string | number): { isId: boolean; key: string | number } {
    const isId = typeof ref === 'number' || /^[0-9]{1,15}$/.test(ref);
    return { isId, key: isId ? Number(ref) : String(ref).toLowerCase() };
  }

  get(isId: boolean, key: string | number): TableInfo | undefined {
    return isId ? this.byId.get(key as number) : this.byName.get(key as string);
  }

  remember(info: TableInfo): TableInfo {
    this.byId.set(info.schema.id, info);
    this.byName.set(info.schema.name.toLowerCase(), info);
    return info;
  }

  clear(): void {
    this.byId.clear();
    this.byName.clear();
  }
}
