import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../../helpers/engine.ts';
import { finalLogs } from '../triggers/helpers/logs.ts';
import { createTable, deploy, invoke, onEachBackend, startEngineOn } from './helpers.ts';

// A lottery-style MinCloud app end to end on a real engine, written the way such apps'
// faas/ folders are: users, created_by set by functions, expand, a table trigger whose
// function reads the record from event.data, nested invokes made for the user, a callback
// function that leaves a timer behind, and a const assignment on a path that never runs.
onEachBackend((backend) => {
  let t: TestEngine;
  const users: Record<string, number> = {};

  const ENTER = `
const MAX_TICKETS = 3;
exports.main = function enterLottery(event, callback) {
  const me = new BaaS.User().getCurrentUserWithoutData();
  const Ticket = new BaaS.TableObject('ticket');
  const query = new BaaS.Query();
  query.compare('created_by', '=', event.request.user.id);
  query.compare('lottery', '=', event.data.lottery);
  Ticket.setQuery(query).count().then((n) => {
    if (n >= MAX_TICKETS) {
      if (event.data.reset) MAX_TICKETS = 0; // never taken: the deploy must still work
      return callback(null, { ok: false, reason: 'too many tickets' });
    }
    const ticket = Ticket.create();
    ticket.set({ lottery: event.data.lottery, number: n + 1, created_by: me });
    return ticket.save().then((res) => {
      // The "analytics" call MinCloud apps fire without waiting: still done before the run ends.
      setTimeout(() => console.log('ticket', res.data.id), 10);
      callback(null, { ok: true, ticket: res.data.id });
    });
  }).catch((err) => callback(err));
};`;

  const ON_TICKET = `
exports.main = async function onTicket(event) {
  // MinCloud passes the record itself.
  const Lottery = new BaaS.TableObject('lottery');
  const lottery = Lottery.getWithoutData(event.data.lottery);
  lottery.incrementBy('entries', 1);
  await lottery.update();
  return event.data.id;
};`;

  const DRAW = `
exports.main = async function draw(event) {
  const Ticket = new BaaS.TableObject('ticket');
  const query = new BaaS.Query().compare('lottery', '=', event.data.lottery);
  const tickets = await Ticket.setQuery(query).expand('created_by').orderBy('created_at').limit(1000).find();
  const winner = tickets.data.objects[event.data.pick % tickets.data.objects.length];
  const Lottery = new BaaS.TableObject('lottery');
  await Lottery.getWithoutData(event.data.lottery).set({ winner: winner.created_by.id }).update();
  const notified = await BaaS.invoke('notify', { lottery: event.data.lottery }, true, { userId: winner.created_by.id });
  return { winner: winner.created_by.nickname, notified: notified.data };
};`;

  const NOTIFY = `
exports.main = async function notify(event) {
  const me = await new BaaS.User().get(event.request.user.id);
  return 'congratulations ' + me.data.nickname;
};`;

  beforeAll(async () => {
    t = await startEngineOn(backend);
    for (const [openid, nickname] of [
      ['oAmy', 'Amy'],
      ['oBen', 'Ben'],
    ]) {
      const created = await t.api('POST', '/users', { openid, nickname });
      users[nickname!] = created.body.id;
    }
    await createTable(t, 'lottery', [
      { name: 'title', type: 'string' },
      { name: 'entries', type: 'integer', default: 0 },
      { name: 'winner', type: 'integer' },
    ]);
    await createTable(t, 'ticket', [
      { name: 'lottery', type: 'string', index: true },
      { name: 'number', type: 'integer' },
    ]);
    await deploy(t, 'enter', ENTER);
    await deploy(t, 'on_ticket', ON_TICKET);
    await deploy(t, 'draw', DRAW);
    await deploy(t, 'notify', NOTIFY);
    const trigger = await t.api('POST', '/triggers', {
      name: 'ticket_created',
      type: 'table',
      condition: { table: 'ticket', on: ['create'] },
      actions: [{ type: 'function', function: 'on_ticket' }],
    });
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(201);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('a lottery-style app', () => {
    it('users enter, a trigger counts the entries, a draw expands the winner and notifies them', async () => {
      const lottery = (await t.api('POST', '/tables/lottery/records', { title: 'Spring' })).body;
      const entries: Array<[string, boolean]> = [
        ['Amy', true],
        ['Ben', true],
        ['Amy', true],
        ['Amy', true],
        ['Amy', false], // the fourth ticket is refused
      ];
      for (const [who, ok] of entries) {
        const out = await invoke(t, 'enter', { lottery: lottery.id }, users[who]);
        expect(out.code, JSON.stringify(out.error)).toBe(0);
        expect(out.data.ok).toBe(ok);
        if (ok) expect(out.log.map((l) => l.message)).toEqual([`ticket ${out.data.ticket}`]);
      }
      await t.engine.settled();
      await finalLogs(t, 'ticket_created', 4);
      expect((await t.api('GET', `/tables/lottery/records/${lottery.id}`)).body.entries).toBe(4);

      const drawn = await invoke(t, 'draw', { lottery: lottery.id, pick: 1 });
      expect(drawn.code, JSON.stringify(drawn.error)).toBe(0);
      expect(drawn.data).toEqual({ winner: 'Ben', notified: 'congratulations Ben' });
      expect((await t.api('GET', `/tables/lottery/records/${lottery.id}`)).body.winner).toBe(
        users.Ben,
      );
    });
  });
});
