/**
 * The receiver's stateful parts, around the pure protocol core (engine/wechat): accounts with
 * their prepared keys, the inbox's group commit and retention, and passive replies.
 */
export { AccountRegistry } from './account-registry.ts';
export { GroupCommitInbox, EventNotStorableError } from './group-commit.ts';
export {
  startInboxRetention,
  INBOX_PRUNE_INTERVAL_MS,
  type InboxRetention,
} from './inbox-retention.ts';
export { runPassiveReply, DEFAULT_REPLY_BUDGET_MS, type ReplyAttempt } from './passive-reply.ts';
