/** True when a trigger log's `event` is this push: every field of it, equal. */
export function isEventOf(logEvent: unknown, data: Record<string, unknown>): boolean {
  if (logEvent === null || typeof logEvent !== 'object') return false;
  const event = logEvent as Record<string, unknown>;
  return Object.entries(data).every(
    ([key, value]) => JSON.stringify(event[key]) === JSON.stringify(value),
  );
}
