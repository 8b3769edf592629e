import { describe, expect, it } from 'vitest';
import { displayWidth, renderTable, truncate } from '../../../engine/cli/format/table.ts';
import { paint, statusColour, stripColour } from '../../../engine/cli/format/colour.ts';
import { renderJob, renderTriggerLog } from '../../../engine/cli/format/runs.ts';
import { formatBytes, formatDuration } from '../../../engine/cli/format/values.ts';
import { renderBar } from '../../../engine/cli/progress.ts';
import { hintFor } from '../../../engine/cli/hints.ts';

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers and leaves no trailing blanks', () => {
    const rows = [
      { name: 'hello', v: 2, note: 'x' },
      { name: 'user_consume_card', v: 12, note: '' },
    ];
    const text = renderTable(
      [
        { header: 'NAME', value: (r) => r.name },
        { header: 'VERSION', value: (r) => String(r.v), align: 'right' },
        { header: 'NOTE', value: (r) => r.note },
      ],
      rows,
    );
    expect(text.split('\n')).toEqual([
      'NAME               VERSION  NOTE',
      'hello                    2  x',
      'user_consume_card       12',
    ]);
  });
  it('counts CJK characters as two cells and shows newlines as ⏎', () => {
    expect(displayWidth('卡券abc')).toBe(7);
    const text = renderTable(
      [
        { header: 'A', value: (r: string) => r },
        { header: 'B', value: () => 'b' },
      ],
      ['卡券', 'x\ny'],
    );
    expect(text.split('\n')).toEqual(['A     B', '卡券  b', 'x⏎y   b']);
  });
  it('truncates to a display width with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(displayWidth(truncate('卡券卡券卡券', 7))).toBeLessThanOrEqual(7);
  });
});

describe('colours', () => {
  it('paints only when enabled and strips back to the text', () => {
    expect(paint('ok', 'green', false)).toBe('ok');
    expect(stripColour(paint('ok', 'green', true))).toBe('ok');
    expect(paint('ok', 'green', true)).not.toBe('ok');
  });
  it('colours statuses: green done, yellow on its way, red failed for good', () => {
    expect(['fulfilled', 'succeeded'].map(statusColour)).toEqual(['green', 'green']);
    expect(['pending', 'executing', 'failed'].map(statusColour)).toEqual([
      'yellow',
      'yellow',
      'yellow',
    ]);
    expect(['execution_failed', 'deadline_exceeded', 'dead_letter'].map(statusColour)).toEqual([
      'red',
      'red',
      'red',
    ]);
  });
});

describe('runs', () => {
  it('renders a job with its log and error, and a trigger log row', () => {
    const job = renderJob(
      {
        id: 'j1',
        function: 'f',
        version: 3,
        source: 'trigger',
        status: 'execution_failed',
        created_at: '2025-01-01T00:00:00Z',
        duration_ms: 12,
        memory_bytes: 2048,
        trigger: 'cards',
        log: [{ level: 'warn', message: 'careful\nreally' }],
        error: { message: 'boom' },
      },
      false,
    );
    expect(job).toMatch(/execution_failed\s+12 ms\s+2.0 KB\s+v3\s+trigger cards\s+j1/);
    expect(job).toContain('    [warn] careful\n           really');
    expect(job).toContain('    error: boom');
    const log = renderTriggerLog(
      {
        id: 'l1',
        trigger: 'cards',
        triggered_at: '2025-01-01T00:00:00Z',
        status: 'dead_letter',
        attempts: 3,
        action: { type: 'webhook', url: 'https://x' },
        error_type: 'http',
        error: 'HTTP 500',
      },
      false,
    );
    expect(log).toMatch(/dead_letter\s+3 attempts\s+webhook:https:\/\/x/);
    expect(log).toContain('    http: HTTP 500');
  });
});

describe('values, progress, hints and local imports', () => {
  it('formats bytes and durations', () => {
    expect([
      formatBytes(10),
      formatBytes(1536),
      formatBytes(5 * 1024 * 1024),
      formatBytes(null),
    ]).toEqual(['10 B', '1.5 KB', '5.0 MB', '-']);
    expect([formatDuration(12.4), formatDuration(1500), formatDuration(undefined)]).toEqual([
      '12 ms',
      '1.50 s',
      '-',
    ]);
  });
  it('draws a progress bar', () => {
    expect(renderBar(0, 10)).toBe(`[${'-'.repeat(24)}]   0%`);
    expect(renderBar(5, 10)).toBe(`[${'#'.repeat(12)}${'-'.repeat(12)}]  50%`);
    expect(renderBar(20, 10)).toBe(`[${'#'.repeat(24)}] 100%`);
  });
  it("prefers the engine's hint, explains a refused token by where it came from", () => {
    expect(hintFor({ code: 'E_X', hint: 'do this' }, { tokenSource: 'none' })).toBe('do this');
    expect(hintFor({ code: 'E_UNAUTHORIZED' }, { tokenSource: 'none' })).toContain(
      'No admin token found',
    );
    expect(hintFor({ code: 'E_UNAUTHORIZED' }, { tokenSource: '--admin-token' })).toContain(
      'from --admin-token was refused',
    );
    expect(hintFor({ code: 'E_SOMETHING' }, { tokenSource: 'none' })).toBe(
      'See docs/errors.md for E_SOMETHING.',
    );
  });
});
