import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../../console/src/i18n/en.ts';
import { zhCN } from '../../../console/src/i18n/zh-cn.ts';
import { repoRoot } from '../../helpers/fixtures.ts';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : /\.tsx?$/.test(e.name) ? [full] : [];
  });
}

describe('console dictionaries', () => {
  it('have the same keys in 简体中文 and English', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty text, and the same {placeholders} in both languages', () => {
    for (const [key, text] of Object.entries(en)) {
      const zh = zhCN[key as keyof typeof en];
      expect(text, key).not.toBe('');
      expect(zh, key).not.toBe('');
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(zh), key).toEqual(names(text));
    }
  });

  it("use MinCloud's terms in Chinese", () => {
    expect(zhCN['nav.functions']).toBe('云函数');
    expect(zhCN['nav.triggers']).toBe('触发器');
    expect(zhCN['nav.tables']).toBe('数据表');
    expect(zhCN['fn.tabJobs']).toBe('任务日志');
    expect(zhCN['trg.frequency']).toBe('触发频率');
    expect(zhCN['fn.test']).toBe('测试');
    expect(zhCN['trg.matchAny']).toContain('任一');
    expect(zhCN['trg.matchAll']).toContain('所有');
  });

  it('define every key the pages ask for', () => {
    const used = new Set<string>();
    for (const file of sources(path.join(repoRoot, 'console/src'))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([\w.!=<>-]+)'/g))
        used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
  });
});
