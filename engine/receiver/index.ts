/**
 * The receiver's stateful parts, around the pure protocol core (engine/wechat): accounts with
 * their prepared keys, and passive replies (the inbox itself is engine/inbox).
 */
export { AccountRegistry } from './account-registry.ts';
export { runPassiveReply, DEFAULT_REPLY_BUDGET_MS, type ReplyAttempt } from './passive-reply.ts';
