/**
 * What one process saves, every other process uses within a second: a trigger, an account, a
 * function version. Process A is a receiver only (it saves, it never dispatches nor runs), so
 * what B matches and runs can only come from B's own caches, refreshed through the change feed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, textPush, type Cluster } from '../../helpers/cluster.ts';
import { postgresAvailable } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();
const A = 0;
const B = 1;
/** The bound the issue sets: a save on one process is in force on every other within 1 s. */
const REFRESH_BOUND_MS = 1000;
const settle = () => new Promise((resolve) => setTimeout(resolve, REFRESH_BOUND_MS));

let cluster: Cluster;

beforeAll(async () => {
  if (!pgUp) return;
  cluster = await startCluster({ roles: ['receiver', 'all'] });
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describe.skipIf(!pgUp)('caches across processes', () => {
  it('runs the version deployed on A when B is invoked a second after', async () => {
    await cluster.deployFunction(A, 'versioned', 'exports.main = async () => "v1";');
    await settle();
    // B runs v1 and keeps it (with its isolate) in its caches.
    expect(
      (await cluster.ok(B, 'POST', '/functions/versioned/invoke', { data: {} })).body,
    ).toMatchObject({ data: 'v1' });
    await cluster.deployFunction(A, 'versioned', 'exports.main = async () => "v2";');
    await settle();
    expect(
      (await cluster.ok(B, 'POST', '/functions/versioned/invoke', { data: {} })).body,
    ).toMatchObject({ data: 'v2' });
    await cluster.ok(A, 'POST', '/functions/versioned/rollback', { version: 1 });
    await settle();
    expect(
      (await cluster.ok(B, 'POST', '/functions/versioned/invoke', { data: {} })).body,
    ).toMatchObject({ data: 'v1' });
  });

  it("opens pushes on B with the account's new token a second after A saved it", async () => {
    const old = { appId: 'wx_cache_account', token: 'token-before' };
    const renewed = { ...old, token: 'token-after' };
    await cluster.createAccount(A, old);
    await settle();
    // B prepares the account (and keeps it) on its first push.
    expect(await cluster.push(B, old, textPush(old, '7500000000000000001', 'hi'))).toEqual({
      status: 200,
      text: 'success',
    });
    await cluster.createAccount(A, renewed);
    await settle();
    expect(await cluster.push(B, renewed, textPush(renewed, '7500000000000000002', 'hi'))).toEqual({
      status: 200,
      text: 'success',
    });
    expect((await cluster.push(B, old, textPush(old, '7500000000000000003', 'hi'))).status).toBe(
      401,
    );
    await cluster.ok(A, 'DELETE', `/wechat/accounts/${old.appId}`);
    await settle();
    expect(
      (await cluster.push(B, renewed, textPush(renewed, '7500000000000000004', 'hi'))).status,
    ).toBe(404);
  });

  it('matches a push on B against a trigger saved on A a second before', async () => {
    const account = { appId: 'wx_cache_trigger', token: 'cache-trigger-token' };
    await cluster.createAccount(A, account);
    await cluster.deployFunction(A, 'heard', 'exports.main = async (e) => e.data.Content;');
    // B indexes its triggers now, before the one under test exists.
    await settle();
    await cluster.createTrigger(A, {
      name: 'ping',
      type: 'wechat_message',
      condition: { appId: account.appId, rules: [{ field: 'Content', op: '=', value: 'ping' }] },
      actions: [{ type: 'function', function: 'heard' }],
    });
    await settle();
    expect(
      (await cluster.push(B, account, textPush(account, '7600000000000000001', 'ping'))).text,
    ).toBe('success');
    await expect
      .poll(async () => (await cluster.jobs(B, 'heard')).map((j) => j.result), { timeout: 20_000 })
      .toEqual(['ping']);

    // Changed on A: B matches the new rule, not the old one.
    await cluster.ok(A, 'PUT', '/triggers/ping', {
      name: 'ping',
      type: 'wechat_message',
      condition: { appId: account.appId, rules: [{ field: 'Content', op: '=', value: 'pong' }] },
      actions: [{ type: 'function', function: 'heard' }],
    });
    await settle();
    await cluster.push(B, account, textPush(account, '7600000000000000002', 'ping'));
    await cluster.push(B, account, textPush(account, '7600000000000000003', 'pong'));
    await expect
      .poll(async () => (await cluster.jobs(B, 'heard')).length, { timeout: 20_000 })
      .toBe(2);
    await expect
      .poll(
        async () => (await cluster.ok(B, 'GET', '/inbox?status=pending')).body.meta.total_count,
        { timeout: 20_000 },
      )
      .toBe(0);
    expect((await cluster.jobs(B, 'heard')).map((j) => j.result).sort()).toEqual(['ping', 'pong']);
  });
});
