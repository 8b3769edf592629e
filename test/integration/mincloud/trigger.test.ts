import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../../helpers/engine.ts';
import { finalLogs } from '../triggers/helpers/logs.ts';
import { createTable, deploy, onEachBackend, startEngineOn } from './helpers.ts';

// dashboard/basic-services/trigger.md, "执行云函数": for a table trigger, "event.data
// 参数为数据表记录" (the record itself), on a real engine.
onEachBackend((backend) => {
  let t: TestEngine;

  beforeAll(async () => {
    t = await startEngineOn(backend);
    await createTable(t, 'orders', [
      { name: 'item', type: 'string' },
      { name: 'status', type: 'string' },
    ]);
    await createTable(t, 'audit', [
      { name: 'order_id', type: 'string' },
      { name: 'what', type: 'string' },
    ]);
    // A MinCloud-style trigger function: it reads the record's fields straight off event.data.
    await deploy(
      t,
      'on_order',
      `exports.main = async function (event) {
      const Audit = new BaaS.TableObject('audit')
      await Audit.create().set({ order_id: event.data.id, what: event.data.item + ':' + event.data.status }).save()
      return { id: event.data.id, event: event.change.event }
    }`,
    );
    for (const [name, on] of [
      ['order_written', ['create', 'update']],
      ['order_deleted', ['delete']],
    ] as const) {
      const answer = await t.api('POST', '/triggers', {
        name,
        type: 'table',
        condition: { table: 'orders', on, rules: [{ field: 'item', op: '!=', value: 'skip' }] },
        actions: [{ type: 'function', function: 'on_order' }],
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('table triggers (dashboard/basic-services/trigger.md)', () => {
    it('event.data is the record after create and update, the deleted record for delete', async () => {
      const order = (await t.api('POST', '/tables/orders/records', { item: 'tea', status: 'new' }))
        .body;
      await t.engine.settled();
      await finalLogs(t, 'order_written', 1);
      await t.api('PUT', `/tables/orders/records/${order.id}`, { status: 'paid' });
      await t.engine.settled();
      await finalLogs(t, 'order_written', 2);
      await t.api('DELETE', `/tables/orders/records/${order.id}`);
      await t.engine.settled();
      await finalLogs(t, 'order_deleted', 1);
      const audit = await t.api('GET', '/tables/audit/records?order_by=created_at');
      expect(audit.body.objects.map((a: { what: string }) => a.what).sort()).toEqual([
        'tea:new',
        'tea:paid',
        'tea:paid',
      ]);
      expect(audit.body.objects.every((a: { order_id: string }) => a.order_id === order.id)).toBe(
        true,
      );
    });
  });
});
