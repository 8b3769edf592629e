import { describe, expect, it } from 'vitest';
import { displayWidth, renderTable, truncate } from '../../../engine/cli/format/table.ts';
import { paint, stripColour } from '../../../engine/cli/format/colour.ts';

// Coloured and CJK cells keep their columns aligned: ANSI codes take no cell, wide characters two.
describe('table widths', () => {
  it('measures without ANSI codes and with CJK and emoji as two cells', () => {
    expect(displayWidth(paint('ok', 'green', true))).toBe(2);
    expect(displayWidth(paint('卡券', 'red', true))).toBe(4);
    expect(displayWidth('会员卡 ✓')).toBe(8);
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('aligns a coloured table exactly as the same table without colour', () => {
    const rows = [
      { name: '卡券核销', status: 'succeeded' },
      { name: 'hello', status: 'dead_letter' },
    ];
    const table = (colour: boolean) =>
      renderTable(
        [
          { header: 'NAME', value: (r: (typeof rows)[number]) => paint(r.name, 'bold', colour) },
          { header: 'STATUS', value: (r) => paint(r.status, 'green', colour) },
          { header: 'N', value: () => '1', align: 'right' },
        ],
        rows,
      );
    expect(stripColour(table(true))).toBe(table(false));
    expect(table(false).split('\n')).toEqual([
      'NAME      STATUS       N',
      '卡券核销  succeeded    1',
      'hello     dead_letter  1',
    ]);
  });

  it('truncates coloured text by what shows', () => {
    expect(displayWidth(truncate('卡券卡券卡券', 7))).toBeLessThanOrEqual(7);
  });
});
