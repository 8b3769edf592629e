/**
 * A request path as it may be logged: the key of `/hooks/:key` is a secret (whoever has it
 * fires the trigger), so only its first 4 characters are kept (issue 12, item 9). Other
 * paths name nothing secret (the admin API's resources are behind the token).
 */
export function redactPath(path: string): string {
  const match = /^\/hooks\/([^/]*)(.*)$/.exec(path);
  if (!match) return path;
  const key = match[1]!;
  return `/hooks/${key.slice(0, 4)}${key.length > 4 ? '…' : ''}${match[2]!.length > 0 ? '/…' : ''}`;
}
