import { describe, expect, it } from 'vitest';
import { readQueueNotice } from '../../../engine/store/queue-notice.ts';

describe('the detail of a queue change', () => {
  it('names its sender and the lanes of the firings it queued', () => {
    expect(readQueueNotice('p1 function:f action:t#0')).toEqual({
      sender: 'p1',
      lanes: ['function:f', 'action:t#0'],
    });
  });

  it('without lanes (a replay, a retry, a give-back) it names no lane: any may have work', () => {
    expect(readQueueNotice('p1')).toEqual({ sender: 'p1', lanes: [] });
    expect(readQueueNotice('')).toEqual({ sender: '', lanes: [] });
  });
});
