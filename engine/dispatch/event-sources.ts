import type { InboxEntry } from '../store/index.ts';
import type { FiringSource } from './trigger-registry.ts';

/** Where an inbox entry came from, as the trigger index looks it up. */
export function firingSourceOf(entry: Pick<InboxEntry, 'source' | 'key' | 'data'>): FiringSource {
  switch (entry.source) {
    case 'wechat_message':
      return { type: 'wechat_message', appId: entry.key };
    case 'table':
      return {
        type: 'table',
        table: entry.key,
        event: (entry.data as { event: 'create' | 'update' | 'delete' }).event,
      };
    case 'timer':
      return { type: 'timer', trigger: entry.key };
    case 'webhook':
      return { type: 'webhook', trigger: entry.key };
  }
}
