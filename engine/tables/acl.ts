/**
 * MinCloud's record ACLs for a run made on behalf of a user (pure: no I/O).
 *
 * Vocabulary (hydrogen-sdk-doc cloud-function/node-sdk/schema/table.md and
 * dashboard/basic-services/schema.md): a record's `read_perm` / `write_perm` is a list of
 *   "user:anonymous"  everyone (signed-in and anonymous users)
 *   "user:*"          every signed-in user
 *   "user:<id>"       that one user
 *   "gid:<id>"        the users of a group
 * An empty list admits nobody (MinCloud's "不开放"). A record without the field follows
 * its table's row default: cloudfn tables have no ACL settings of their own, so the default
 * is everyone (MinCloud's `["user:anonymous"]`, the way every record behaved before ACLs
 * were enforced), except the user table, whose records only their own user may write
 * (MinCloud's `user:{created_by}` applied to a user's own profile).
 *
 * A cloudfn user is always a signed-in user (a run is made for a user by its id); user
 * groups are not built, so a `gid:` entry admits nobody: the ACL fails closed.
 *
 * Two forms of the same rule, kept in step by test/unit/tables/acl.test.ts:
 *   - `aclWhere`: a `where` fragment in MinCloud's wire format that any TableStore compiles,
 *     composed with the caller's where for reads and bulk writes;
 *   - `admits`: the check of one record already read, for single-record writes.
 */
import { TableError } from './errors.ts';
import { USER_TABLE } from './names.ts';
import type { RecordData, Where } from './table-store.ts';

export type AclAccess = 'read' | 'write';

const FIELD_OF: Record<AclAccess, 'read_perm' | 'write_perm'> = {
  read: 'read_perm',
  write: 'write_perm',
};

// The row default's one entry that depends on the record: the user table's owner.
const SELF = 'user:{id}';

/** What a record without the field allows, per table (see the module comment). */
function rowDefault(table: string, access: AclAccess): readonly string[] {
  if (table === USER_TABLE && access === 'write') return [SELF];
  return ['user:anonymous'];
}

/** The entries that name `userId`: everyone, every signed-in user, that user. */
export function principalsOf(userId: number): string[] {
  return ['user:anonymous', 'user:*', `user:${userId}`];
}

/** Whether the record (as read, with its `read_perm`/`write_perm` when set) admits the user. */
export function admits(
  table: string,
  record: RecordData,
  access: AclAccess,
  userId: number,
): boolean {
  const own = record[FIELD_OF[access]];
  const principals = principalsOf(userId);
  if (Array.isArray(own)) return own.some((entry) => principals.includes(entry as string));
  const fallback = rowDefault(table, access);
  if (fallback.some((entry) => principals.includes(entry))) return true;
  return fallback.includes(SELF) && record.id === userId;
}

/** The where fragment matching exactly the records `admits` admits. */
export function aclWhere(table: string, access: AclAccess, userId: number): Where {
  const field = FIELD_OF[access];
  const listed: Where = { [field]: { $in: principalsOf(userId) } };
  const fallback = rowDefault(table, access);
  const unset: Where = { [field]: { $isnull: true } };
  // The unset test first: it is a column test, cheaper than reading the list's elements.
  if (fallback.some((entry) => principalsOf(userId).includes(entry)))
    return { $or: [unset, listed] };
  if (fallback.includes(SELF)) return { $or: [{ $and: [unset, { id: userId }] }, listed] };
  return listed;
}

/** The caller's where (if any) narrowed to what the user may read or write. */
export function withAcl(
  where: Where | undefined,
  table: string,
  access: AclAccess,
  userId: number,
): Where {
  const acl = aclWhere(table, access, userId);
  return where === undefined || Object.keys(where).length === 0 ? acl : { $and: [where, acl] };
}

/** A single-record write the record's `write_perm` refuses (MinCloud answers 403). */
export function aclDenied(table: string, id: string | number, userId: number): TableError {
  return new TableError(
    'E_TABLE_ACL_DENIED',
    `User ${userId} may not write record '${String(id)}' of table '${table}': its write_perm ` +
      `does not list "user:${userId}", "user:*" or "user:anonymous" (gid: entries admit nobody: ` +
      `user groups are not supported).`,
    403,
    { table, id, user_id: userId },
  );
}

/** MinCloud's error entry for a record a bulk write skipped for its ACL. */
export function aclSkipped(userId: number): { code: number; err_msg: string } {
  return { code: 403, err_msg: `write_perm does not admit user ${userId}` };
}
