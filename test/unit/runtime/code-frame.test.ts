import { describe, expect, it } from 'vitest';
import { codeFrame } from '../../../runtime/bundle/code-frame.ts';

describe('codeFrame', () => {
  const source = ['one', 'two', 'three', 'four', 'five', 'six'].join('\n');

  it('shows two lines around the error with a caret under the column', () => {
    expect(codeFrame(source, 3, 3)).toBe(
      ['  1 | one', '  2 | two', '> 3 | three', '    |   ^', '  4 | four', '  5 | five'].join('\n'),
    );
  });

  it('clips at the start and end of the file and widens the gutter', () => {
    const long = Array.from({ length: 10 }, (_, i) => `l${i + 1}`).join('\n');
    expect(codeFrame(long, 10, 1)).toBe(
      ['   8 | l8', '   9 | l9', '> 10 | l10', '     | ^', ''].join('\n').trimEnd(),
    );
    expect(codeFrame(source, 1, 1).split('\n')[0]).toBe('> 1 | one');
  });

  it('keeps tabs so the caret lines up', () => {
    expect(codeFrame('\tx = ;', 1, 6)).toBe('> 1 | \tx = ;\n    | \t    ^');
  });
});
