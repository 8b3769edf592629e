/**
 * The inbox's intake: every source accepts its events here (durable before the sender is
 * answered, in group commits), and retention keeps the inbox to its window.
 */
export {
  EventIntake,
  type Intake,
  type NewEvent,
  type AcceptedEvent,
  type AcceptDispatch,
} from './intake.ts';
export { GroupCommit, EventNotStorableError } from './group-commit.ts';
export { startInboxRetention, INBOX_PRUNE_INTERVAL_MS, type InboxRetention } from './retention.ts';
