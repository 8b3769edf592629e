import { createHash } from 'node:crypto';
import type { ChangeTopic } from '../ports.ts';

export const CHANGE_TOPICS: readonly ChangeTopic[] = [
  'inbox',
  'queue',
  'triggers',
  'accounts',
  'functions',
  'tables',
];

/**
 * The NOTIFY channel of a topic for the engine whose tables are in `schema`: engines on other
 * schemas of the same database (tests, several installations) do not hear each other. A
 * hash keeps the name short (channels are identifiers: 63 bytes at most) and plain.
 */
export function channelOf(schema: string, topic: ChangeTopic): string {
  const tag = createHash('sha256').update(schema).digest('hex').slice(0, 12);
  return `cloudfn_${topic}_${tag}`;
}

/** The channel of every topic for one schema. */
export function channelsOf(schema: string): Record<ChangeTopic, string> {
  return Object.fromEntries(CHANGE_TOPICS.map((t) => [t, channelOf(schema, t)])) as Record<
    ChangeTopic,
    string
  >;
}
