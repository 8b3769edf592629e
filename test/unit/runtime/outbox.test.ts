/** The executor's outbox: one message per turn for the outcomes and the events before them. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_HOLD_MS, Outbox, type SendGate } from '../../../runtime/executor/outbox.ts';
import type { FromExecutor } from '../../../runtime/protocol.ts';
import type { InvocationOutcome } from '../../../runtime/sandbox.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const outcome = (result: number): InvocationOutcome => ({
  status: 'fulfilled',
  result,
  log: [{ level: 'log', message: `run ${result}`, at: 1 }],
  durationMs: 1,
  cpuMs: 1,
  memoryBytes: 0,
});

function outbox(): { box: Outbox; sent: FromExecutor[] } {
  const sent: FromExecutor[] = [];
  return { box: new Outbox((m) => sent.push(m)), sent };
}

describe('Outbox', () => {
  it('sends the outcomes of one turn and the events before them as one message, at its end', async () => {
    const { box, sent } = outbox();
    box.event({ kind: 'table.change', payload: { n: 1 } });
    box.outcome({ id: 1, outcome: outcome(1) });
    box.event({ kind: 'table.change', payload: { n: 2 } });
    box.outcome({ id: 2, outcome: outcome(2) });
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([
      {
        type: 'outcomes',
        events: [
          { kind: 'table.change', payload: { n: 1 } },
          { kind: 'table.change', payload: { n: 2 } },
        ],
        outcomes: [
          { id: 1, outcome: outcome(1) },
          { id: 2, outcome: outcome(2) },
        ],
      },
    ]);
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toHaveLength(1);
  });

  it('sends events without an outcome as host-events', async () => {
    const { box, sent } = outbox();
    box.event({ kind: 'table.change', payload: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([{ type: 'host-events', events: [{ kind: 'table.change', payload: 1 }] }]);
  });

  it('lets an outcome wait for the next job only while it is younger than MAX_HOLD_MS', () => {
    const { box, sent } = outbox();
    box.outcome({ id: 1, outcome: outcome(1) });
    box.beforeRun();
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(MAX_HOLD_MS); // a long synchronous job would hold the turn as long
    box.beforeRun();
    expect(sent).toEqual([
      { type: 'outcomes', events: [], outcomes: [{ id: 1, outcome: outcome(1) }] },
    ]);
  });

  it('sends everything held before a message that must not overtake it', () => {
    const { box, sent } = outbox();
    box.outcome({ id: 1, outcome: outcome(1) });
    box.flush();
    box.flush();
    expect(sent).toEqual([
      { type: 'outcomes', events: [], outcomes: [{ id: 1, outcome: outcome(1) }] },
    ]);
  });

  it('does not hold more than 64 outcomes or 1,000 events', () => {
    const { box, sent } = outbox();
    for (let i = 0; i < 64; i++) box.outcome({ id: i, outcome: outcome(i) });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'outcomes' });
    for (let i = 0; i < 1000; i++) box.event({ kind: 'k', payload: i });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ type: 'host-events' });
  });

  it('lets the gate commit first: its events join the message, before the outcomes it judged', () => {
    const { box, sent } = outbox();
    const gate: SendGate = {
      // A commit raises its events through `event`, even past the cap: they wait for this message.
      settle: () => {
        for (let i = 0; i < 1001; i++) box.event({ kind: 'table.change', payload: i });
      },
      judge: (jobId, o) =>
        jobId === 'lost' ? { ...o, status: 'execution_failed', result: undefined } : o,
    };
    box.gate = gate;
    box.outcome({ id: 1, outcome: outcome(1) }, 'kept');
    box.outcome({ id: 2, outcome: outcome(2) }, 'lost');
    box.flush();
    expect(sent).toHaveLength(1);
    const message = sent[0] as Extract<FromExecutor, { type: 'outcomes' }>;
    expect(message.events).toHaveLength(1001);
    expect(message.outcomes.map((o) => [o.id, o.outcome.status])).toEqual([
      [1, 'fulfilled'],
      [2, 'execution_failed'],
    ]);
  });

  it('flushes at the end of the turn when asked to (held writes without an outcome yet)', async () => {
    const { box, sent } = outbox();
    let settled = 0;
    box.gate = {
      settle: () => {
        if (settled++ === 0) box.event({ kind: 'table.change', payload: 'held' });
      },
      judge: (_jobId, o) => o,
    };
    box.later();
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([
      { type: 'host-events', events: [{ kind: 'table.change', payload: 'held' }] },
    ]);
  });
});
