import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { finalLogs } from './helpers/logs.ts';

// Table triggers on a real engine: writes through the REST API and from a function (the
// executor's own connection) fire them; the function gets the record in event.data (as
// MinCloud passes it) and the write in event.change = {event, table, before, after}; rules
// and table-action templates read the row, with $event, $before, $after, $table.
let t: TestEngine;

const RECORD_EVENT = `exports.main = async (event) => ({ id: event.data.id, change: event.change, eventType: event.eventType });`;
const PAY = `exports.main = async (event) => {
  const orders = new BaaS.TableObject('orders');
  const record = orders.getWithoutData(event.data.id);
  record.set('status', 'paid');
  await record.update();
  return { paid: event.data.id };
};`;

beforeAll(async () => {
  t = await startTestEngine();
  const ok = (answer: { status: number; body: unknown }) =>
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  ok(
    await t.api('POST', '/tables', {
      name: 'orders',
      fields: [
        { name: 'item', type: 'string' },
        { name: 'status', type: 'string' },
        { name: 'amount', type: 'integer' },
      ],
    }),
  );
  ok(
    await t.api('POST', '/tables', {
      name: 'audit',
      fields: [
        { name: 'order', type: 'string' },
        { name: 'was', type: 'string' },
        { name: 'now', type: 'string' },
        { name: 'how', type: 'string' },
        { name: 'table', type: 'string' },
      ],
    }),
  );
  ok(await t.api('PUT', '/functions/record_event', { code: RECORD_EVENT }));
  ok(await t.api('PUT', '/functions/pay', { code: PAY }));
  ok(
    await t.api('POST', '/triggers', {
      name: 'order_created',
      type: 'table',
      condition: { table: 'orders', on: ['create'], rules: [] },
      actions: [{ type: 'function', function: 'record_event' }],
    }),
  );
  ok(
    await t.api('POST', '/triggers', {
      name: 'order_paid',
      type: 'table',
      condition: {
        table: 'orders',
        on: ['update'],
        rules: [
          { field: 'status', op: '=', value: 'paid' },
          { field: '$before.status', op: '!=', value: 'paid' },
        ],
      },
      actions: [
        { type: 'function', function: 'record_event' },
        {
          type: 'table',
          table: 'audit',
          record: {
            order: '{{id}}',
            was: '{{$before.status}}',
            now: '{{status}}',
            how: '{{$event}}',
            table: '{{$table}}',
          },
        },
      ],
    }),
  );
  ok(
    await t.api('POST', '/triggers', {
      name: 'big_order_deleted',
      type: 'table',
      condition: {
        table: 'orders',
        on: ['delete'],
        rules: [{ field: 'amount', op: '>=', value: 100 }],
      },
      actions: [{ type: 'function', function: 'record_event' }],
    }),
  );
});

afterAll(async () => {
  await t?.close();
});

async function jobsOf(trigger: string) {
  const jobs = await t.api(
    'GET',
    `/functions/record_event/jobs?source=trigger:${trigger}&limit=100`,
  );
  return jobs.body.objects as Array<{ data: any; status: string; result: any; id: string }>;
}

describe('table triggers', () => {
  it('a REST create fires the create trigger: event.data is the record, event.change the write', async () => {
    const created = await t.api('POST', '/tables/orders/records', {
      item: 'tea',
      status: 'new',
      amount: 5,
    });
    expect(created.status).toBe(201);
    await t.engine.settled();

    const [log] = await finalLogs(t, 'order_created', 1);
    expect(log.status).toBe('succeeded');
    const jobs = await jobsOf('order_created');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.status).toBe('fulfilled');
    expect(jobs[0]!.data).toEqual(created.body);
    expect(jobs[0]!.result).toEqual({
      id: created.body.id,
      change: { event: 'create', table: 'orders', before: null, after: created.body },
      eventType: 'table',
    });
    // The job and its firing point at each other.
    expect(log.job_id).toBe(jobs[0]!.id);
    expect(
      (await t.api('GET', '/functions/record_event/jobs?limit=100')).body.objects.find(
        (j: { id: string }) => j.id === log.job_id,
      ).trigger_log_id,
    ).toBe(log.id);
    // The status did not become paid, and nothing was deleted: those triggers did not fire.
    expect((await t.api('GET', '/triggers/order_paid/logs')).body.meta.total_count).toBe(0);
  });

  it('an update made by a function fires the "became paid" trigger once, and its table action reads the row', async () => {
    const order = (
      await t.api('POST', '/tables/orders/records', { item: 'cake', status: 'new', amount: 7 })
    ).body;
    const invoked = await t.api('POST', '/functions/pay/invoke', { data: { id: order.id } });
    expect(invoked.body).toMatchObject({ code: 0, data: { paid: order.id } });
    await t.engine.settled();
    // Paying again changes nothing: status was already paid, so the $before rule fails.
    await t.api('POST', '/functions/pay/invoke', { data: { id: order.id } });
    await t.engine.settled();

    const logs = await finalLogs(t, 'order_paid', 2);
    expect(logs.map((l) => [l.action.index, l.status]).sort()).toEqual([
      [0, 'succeeded'],
      [1, 'succeeded'],
    ]);
    const [job] = await jobsOf('order_paid');
    expect(job!.data).toMatchObject({ id: order.id, status: 'paid', item: 'cake' });
    expect(job!.result.change).toMatchObject({
      event: 'update',
      table: 'orders',
      before: { id: order.id, status: 'new' },
      after: { id: order.id, status: 'paid' },
    });
    const audit = await t.api('GET', '/tables/audit/records');
    expect(audit.body.objects).toHaveLength(1);
    expect(audit.body.objects[0]).toMatchObject({
      order: order.id,
      was: 'new',
      now: 'paid',
      how: 'update',
      table: 'orders',
    });
  });

  it('a delete fires with the row before it, and rules read that row', async () => {
    const small = (
      await t.api('POST', '/tables/orders/records', { item: 'gum', status: 'new', amount: 1 })
    ).body;
    const big = (
      await t.api('POST', '/tables/orders/records', { item: 'piano', status: 'new', amount: 900 })
    ).body;
    expect((await t.api('DELETE', `/tables/orders/records/${small.id}`)).status).toBeLessThan(300);
    expect((await t.api('DELETE', `/tables/orders/records/${big.id}`)).status).toBeLessThan(300);
    await t.engine.settled();

    await finalLogs(t, 'big_order_deleted', 1);
    const [job] = await jobsOf('big_order_deleted');
    // event.data is the deleted row; event.change has it as `before`.
    expect(job!.data).toEqual(big);
    expect(job!.result).toMatchObject({
      id: big.id,
      change: { event: 'delete', table: 'orders', before: big, after: null },
    });
  });

  it('the dry run reads the row of a table event and says why an event would not match', async () => {
    const would = await t.api('POST', '/triggers/order_paid/test', {
      data: {
        event: 'update',
        table: 'orders',
        before: { id: 'x', status: 'new' },
        after: { id: 'x', status: 'paid' },
      },
    });
    expect(would.body).toMatchObject({ trigger: 'order_paid', matched: true, reasons: [] });
    expect(would.body.actions[1]).toMatchObject({
      type: 'table',
      record: { order: 'x', was: 'new', now: 'paid', how: 'update', table: 'orders' },
    });

    const wouldNot = await t.api('POST', '/triggers/order_paid/test', {
      data: { event: 'create', table: 'orders', before: null, after: { id: 'y', status: 'new' } },
    });
    expect(wouldNot.body.matched).toBe(false);
    expect(wouldNot.body.reasons).toEqual([
      'the write is a create; this trigger fires on update',
      'rule(s) 0 do not hold',
    ]);
    expect(wouldNot.body.rules[0]).toMatchObject({
      field: 'status',
      actual: 'new',
      matched: false,
    });
    expect(wouldNot.body.rules[1]).toMatchObject({ field: '$before.status', matched: true });
  });
});
