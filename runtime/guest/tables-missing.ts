/**
 * Stand-in for runtime/guest/tables/index.ts, substituted by the guest build only while that
 * module does not exist (it is written separately): table calls fail with a clear error.
 */
export function createTableApi(
  _call: (op: string, args: unknown) => unknown,
  _currentUserId?: () => number | null,
): {
  TableObject: unknown;
  Query: unknown;
  User: unknown;
  GeoPoint: unknown;
  GeoPolygon: unknown;
  Content: unknown;
  ContentCategory: unknown;
  ContentGroup: unknown;
} {
  const unavailable = (): never => {
    const error = new Error(
      'BaaS.TableObject and BaaS.Query are not available in this build of cloudfn',
    );
    (error as Error & { code: string }).code = 'E_FUNCTION_TABLES_UNAVAILABLE';
    throw error;
  };
  return {
    TableObject: unavailable,
    Query: unavailable,
    User: unavailable,
    GeoPoint: unavailable,
    GeoPolygon: unavailable,
    Content: unavailable,
    ContentCategory: unavailable,
    ContentGroup: unavailable,
  };
}
