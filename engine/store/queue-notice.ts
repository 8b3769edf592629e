/**
 * The detail of a `queue` change (ChangeFeed): who made it and, when it queued unclaimed
 * firings, their lanes — `<sender> <lane> <lane>…` (lane names hold no spaces: trigger and
 * function names are letters, digits, `_` and `-`). A detail without lanes (a replay, a
 * retry, a give-back, or too many lanes to list) means any lane may have work.
 */
export interface QueueNotice {
  sender: string;
  lanes: string[];
}

export function readQueueNotice(detail: string): QueueNotice {
  const [sender = '', ...lanes] = detail.split(' ');
  return { sender, lanes: lanes.filter((lane) => lane !== '') };
}
