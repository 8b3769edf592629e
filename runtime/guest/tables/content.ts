/**
 * MinCloud's content library (content/*.md): `BaaS.ContentGroup` (the libraries),
 * `BaaS.Content(groupID)` (a library's contents, the table API scoped to the group) and
 * `BaaS.ContentCategory(groupID)` (its categories, with `parent` and `subcategories` as
 * MinCloud shows them). They read the built-in tables `_content_group`, `_richtextcontent`
 * and `_content_category`, which the admin API fills (`/api/v1/tables/<table>/records`).
 */
import type { Bridge, SdkResponse } from './bridge.ts';
import { badArgument } from './errors.ts';
import { Query } from './query.ts';
import type { TableRecord } from './record.ts';
import { TableObjectImpl } from './table-object.ts';

export const CONTENT_GROUP_TABLE = '_content_group';
export const CONTENT_CATEGORY_TABLE = '_content_category';
export const CONTENT_TABLE = '_richtextcontent';

function groupIdOf(value: unknown, what: string): number {
  if (!Number.isInteger(value)) throw badArgument(`${what} needs a content group id`);
  return value as number;
}

/** `new BaaS.Content(groupID)`: the contents of one library. */
export class ContentImpl extends TableObjectImpl {
  readonly contentGroupID: number;

  constructor(bridge: Bridge, groupID: unknown) {
    super(bridge, CONTENT_TABLE);
    this.contentGroupID = groupIdOf(groupID, 'Content');
    this.scope = { group_id: { $eq: this.contentGroupID } };
  }

  /** A new content of this library; `save()` creates it. */
  override create(): TableRecord {
    return super.create().set('group_id', this.contentGroupID);
  }
}

/** A table seen through a fixed condition (a library's categories). */
class ScopedTable extends TableObjectImpl {
  constructor(bridge: Bridge, table: string, scope: Record<string, unknown>) {
    super(bridge, table);
    this.scope = scope;
  }
}

/**
 * `new BaaS.ContentCategory(groupID)`: the categories of one library. Its `create({name,
 * parent})` and `update(id, {name, parent})` are MinCloud's, not the table API's, so it
 * wraps a scoped table rather than being one.
 */
export class ContentCategoryImpl {
  readonly contentGroupID: number;
  private readonly bridge: Bridge;
  private readonly table: ScopedTable;

  constructor(bridge: Bridge, groupID: unknown) {
    this.bridge = bridge;
    this.contentGroupID = groupIdOf(groupID, 'ContentCategory');
    this.table = new ScopedTable(bridge, CONTENT_CATEGORY_TABLE, {
      group_id: { $eq: this.contentGroupID },
    });
  }

  /** `{status, data: category}` with `parent: {id, name} | null` and `subcategories`. */
  get(categoryID: number): Promise<SdkResponse> {
    return this.table.get(categoryID).then((res) => this.shape(res));
  }

  /** The categories, each shaped as `get` shapes one. */
  find(options: { withCount?: boolean } = {}): Promise<SdkResponse> {
    return this.table.find(options).then(async (res) => {
      const list = res.data as { objects: Array<Record<string, unknown>> };
      list.objects = await Promise.all(list.objects.map((c) => this.withRelatives(c)));
      return res;
    });
  }

  count(): Promise<number> {
    return this.table.count();
  }

  setQuery(query: Query): this {
    this.table.setQuery(query);
    return this;
  }

  limit(value: number): this {
    this.table.limit(value);
    return this;
  }

  offset(value: number): this {
    this.table.offset(value);
    return this;
  }

  orderBy(keys: string | string[]): this {
    this.table.orderBy(keys);
    return this;
  }

  /** MinCloud's `create({name, parent})`: resolves the new category. */
  create(data: { name: string; parent?: number | null }): Promise<SdkResponse> {
    const record = this.table
      .create()
      .set({ ...categoryData(data), group_id: this.contentGroupID });
    return record.save().then((res) => this.shape(res));
  }

  /** MinCloud's `update(categoryID, {name, parent})`: resolves the category. */
  update(
    categoryID: number,
    data: { name?: string; parent?: number | null },
  ): Promise<SdkResponse> {
    return this.table
      .getWithoutData(categoryID)
      .set(categoryData(data))
      .update()
      .then((res) => this.shape(res));
  }

  private async shape(res: SdkResponse): Promise<SdkResponse> {
    return { ...res, data: await this.withRelatives(res.data as Record<string, unknown>) };
  }

  private async withRelatives(category: Record<string, unknown>): Promise<Record<string, unknown>> {
    const lookup = new TableObjectImpl(this.bridge, CONTENT_CATEGORY_TABLE);
    let parent: Record<string, unknown> | null = null;
    if (typeof category.parent === 'number') {
      const p = (await lookup.select(['id', 'name']).get(category.parent)).data as Record<
        string,
        unknown
      >;
      parent = { id: p.id, name: p.name };
    }
    const children = await lookup
      .setQuery(new Query().compare('parent', '=', category.id))
      .select(['id', 'name'])
      .limit(1000)
      .find();
    const subcategories = (children.data as { objects: unknown[] }).objects;
    return { ...category, parent, subcategories };
  }
}

function categoryData(data: unknown): Record<string, unknown> {
  if (typeof data !== 'object' || data === null)
    throw badArgument('a category needs {name, parent}');
  const { name, parent } = data as { name?: unknown; parent?: unknown };
  const out: Record<string, unknown> = {};
  if (name !== undefined) out.name = name;
  if (parent !== undefined) out.parent = parent;
  return out;
}

/**
 * `BaaS.ContentGroup`: `ContentGroup.get(id)` and `ContentGroup.find(options)` read the
 * libraries; `new BaaS.ContentGroup(id)` is MinCloud's older, deprecated way to a library's
 * contents (`getContent`, `find`, `getCategory`, `getCategoryList`).
 */
export class ContentGroupImpl extends ContentImpl {
  getContent(richTextID: number): Promise<SdkResponse> {
    return this.get(richTextID);
  }

  getCategory(categoryID: number): Promise<SdkResponse> {
    return new ContentCategoryImpl(this.bridge, this.contentGroupID).get(categoryID);
  }

  getCategoryList(options: { withCount?: boolean } = {}): Promise<SdkResponse> {
    return new ContentCategoryImpl(this.bridge, this.contentGroupID).limit(100).find(options);
  }
}

/** The static side of BaaS.ContentGroup. */
export function contentGroupStatics(bridge: Bridge) {
  const groups = () => new TableObjectImpl(bridge, CONTENT_GROUP_TABLE);
  return {
    get: (contentGroupID: number): Promise<SdkResponse> => groups().get(contentGroupID),
    find: (
      options: { withCount?: boolean; offset?: number; limit?: number } = {},
    ): Promise<SdkResponse> => {
      const g = groups();
      if (options.limit !== undefined) g.limit(options.limit);
      if (options.offset !== undefined) g.offset(options.offset);
      return g.find({ withCount: options.withCount });
    },
  };
}
