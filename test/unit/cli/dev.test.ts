import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConnection } from '../../../engine/cli/connection.ts';
import { findDevEngine, writeDevFile } from '../../../engine/cli/dev/dev-file.ts';
import { serialRunner } from '../../../engine/cli/dev/watch.ts';

// How commands in a project find the `cloudfn dev` engine, and how saves during a deploy
// are queued: one more deploy after the running one, never two at once.
let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-dev-'));
  fs.mkdirSync(path.join(root, 'functions'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

// A pid that surely ran and ended: a child we started and waited for.
const deadPid = () => spawnSync('true').pid!;

describe('.cloudfn/dev.json', () => {
  it('points commands anywhere in the project at the running dev engine', () => {
    writeDevFile(root, { url: 'http://127.0.0.1:4567', adminToken: 'dev-token', pid: process.pid });
    expect((fs.statSync(path.join(root, '.cloudfn/dev.json')).mode & 0o777).toString(8)).toBe(
      '600',
    );
    const inside = path.join(root, 'functions');
    expect(findDevEngine(inside)).toMatchObject({ url: 'http://127.0.0.1:4567' });
    expect(resolveConnection({}, {}, inside)).toEqual({
      url: 'http://127.0.0.1:4567',
      token: 'dev-token',
      tokenSource: 'cloudfn dev (.cloudfn/dev.json)',
    });
  });

  it('gives way to --url and CLOUDFN_URL', () => {
    writeDevFile(root, { url: 'http://127.0.0.1:4567', adminToken: 'dev-token', pid: process.pid });
    expect(resolveConnection({ url: 'http://10.0.0.1:3000' }, {}, root).token).not.toBe(
      'dev-token',
    );
    expect(
      resolveConnection(
        {},
        { CLOUDFN_URL: 'http://10.0.0.1:3000', CLOUDFN_ADMIN_TOKEN: 't' },
        root,
      ),
    ).toMatchObject({ url: 'http://10.0.0.1:3000', token: 't' });
  });

  it('is ignored once its dev has ended (killed, no cleanup)', () => {
    writeDevFile(root, { url: 'http://127.0.0.1:4567', adminToken: 'dev-token', pid: deadPid() });
    expect(findDevEngine(root)).toBeUndefined();
    expect(resolveConnection({}, {}, root).url).toBe('http://127.0.0.1:3000');
  });
});

describe('serialRunner', () => {
  it('runs once more after saves during a run, never two at once', async () => {
    const events: string[] = [];
    let release: () => void = () => undefined;
    let runs = 0;
    const runner = serialRunner(async () => {
      runs += 1;
      events.push(`start ${runs}`);
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
      events.push(`end ${runs}`);
    });
    runner.request();
    runner.request();
    runner.request();
    expect(events).toEqual(['start 1']);
    release();
    await runner.idle();
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });
});
