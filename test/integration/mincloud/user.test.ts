import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../../helpers/engine.ts';
import { createTable, invoke, deploy, runOk, onEachBackend, startEngineOn } from './helpers.ts';

// MinCloud's cloud-function/node-sdk/user.md, run on a real engine: the built-in
// _userprofile table (integer ids), BaaS.User, created_by and event.request.user.
onEachBackend((backend) => {
  let t: TestEngine;
  let alice: { id: number; openid: string };
  let bob: { id: number };

  beforeAll(async () => {
    t = await startEngineOn(backend);
    const a = await t.api('POST', '/users', {
      openid: 'oAlice0001',
      nickname: 'alice like tea',
      gender: 2,
      city: 'Guangzhou',
      language: 'zh_CN',
    });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    alice = a.body;
    bob = (await t.api('POST', '/users', { openid: 'oBob0002', nickname: 'bob', gender: 1 })).body;
    // A custom field of the user table, added like any table's.
    const added = await t.api('POST', '/tables/_userprofile/fields', {
      fields: [{ name: 'age', type: 'integer' }],
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    await createTable(t, 'product', [
      { name: 'name', type: 'string' },
      { name: 'price', type: 'number' },
    ]);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('users (cloud-function/node-sdk/user.md)', () => {
    it('the admin API creates users with integer ids; openid is unique', async () => {
      expect(Number.isInteger(alice.id)).toBe(true);
      expect(alice).toMatchObject({ openid: 'oAlice0001', created_by: alice.id });
      const again = await t.api('POST', '/users', { openid: 'oAlice0001' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('E_TABLE_UNIQUE');
      const list = await t.api('GET', '/users?where=' + encodeURIComponent('{"gender":1}'));
      expect(list.body.objects.map((u: { id: number }) => u.id)).toEqual([bob.id]);
    });

    // user.md, "获取指定用户信息": MyUser.get(userID)
    it('get(userID) resolves {status, data: user}', async () => {
      const res = await runOk(
        t,
        'user_get',
        `exports.main = async (event) => {
        let MyUser = new BaaS.User()
        return await MyUser.get(event.data.id)
      }`,
        { id: alice.id },
      );
      expect(res).toMatchObject({
        status: 200,
        data: { id: alice.id, openid: 'oAlice0001', nickname: 'alice like tea', gender: 2 },
      });
    });

    // user.md, "查询，获取用户列表" and "获取符合筛选条件的用户总数"
    it('setQuery(...).find() and count() over users', async () => {
      const res = await runOk(
        t,
        'user_find',
        `exports.main = async () => {
        let MyUser = new BaaS.User()
        let query = new BaaS.Query()
        query.contains('nickname', 'like')
        const found = await MyUser.setQuery(query).find()
        const num = await MyUser.setQuery(query).count()
        const all = await MyUser.orderBy('-nickname').limit(5).offset(0).find()
        return { found: found.data, num, all: all.data.objects.map((u) => u.nickname) }
      }`,
      );
      expect(res.found.objects.map((u: { id: number }) => u.id)).toEqual([alice.id]);
      expect(res.found.meta).toMatchObject({ limit: 20, offset: 0, next: null, previous: null });
      expect(res.num).toBe(1);
      expect(res.all).toEqual(['bob', 'alice like tea']);
    });

    // user.md, "更新用户信息": getWithoutData(userID).set('age', 30).update()
    it('getWithoutData(userID).set(custom field).update()', async () => {
      const res = await runOk(
        t,
        'user_update',
        `exports.main = async (event) => {
        let MyUser = new BaaS.User()
        let user = MyUser.getWithoutData(event.data.id)
        return await user.set('age', 30).update()
      }`,
        { id: bob.id },
      );
      expect(res).toMatchObject({ status: 200, data: { id: bob.id, age: 30 } });
    });

    // The first thing a WeChat function does: resolve the push's FromUserName to a user.
    it('a push FromUserName resolves to its user with one query by openid', async () => {
      const res = await runOk(
        t,
        'user_by_openid',
        `exports.main = async (event) => {
        const res = await new BaaS.User()
          .setQuery(new BaaS.Query().compare('openid', '=', event.data.FromUserName))
          .find()
        return res.data.objects[0] || null
      }`,
        { FromUserName: 'oBob0002' },
      );
      expect(res).toMatchObject({ id: bob.id, nickname: 'bob' });
    });

    it('a run made for a user has event.request.user and getCurrentUserWithoutData()', async () => {
      const code = `exports.main = async (event) => {
      const me = new BaaS.User().getCurrentUserWithoutData()
      const updated = await me.set('city', 'Shenzhen').update()
      return { user: event.request.user, city: updated.data.city }
    }`;
      const res = await runOk(t, 'user_current', code, null, alice.id);
      expect(res.user).toMatchObject({ id: alice.id, openid: 'oAlice0001' });
      expect(res.city).toBe('Shenzhen');
      // Without a user, the run has no request and getCurrentUserWithoutData is MinCloud's 604.
      const out = await invoke(t, 'user_current');
      expect(out.code).toBe(1);
      expect(out.error.code).toBe('E_USER_NO_CURRENT');
      const unknown = await t.api('POST', '/functions/user_current/invoke', { user_id: 999999 });
      expect(unknown.status).toBe(404);
    });

    // schema/create-record.md: "云函数中创建数据的 created_by 字段需手动指定"
    it('created_by is set by the function, filtered on, and expanded to the user', async () => {
      const res = await runOk(
        t,
        'created_by',
        `exports.main = async (event) => {
        const Product = new BaaS.TableObject('product')
        const user = new BaaS.User().getWithoutData(event.data.alice)
        await Product.create().set({ name: 'tea', price: 5, created_by: user }).save()
        await Product.create().set({ name: 'cake', price: 7, created_by: event.data.bob }).save()
        const mine = await Product.setQuery(new BaaS.Query().compare('created_by', '=', event.data.alice)).find()
        const expanded = await Product.expand('created_by').orderBy('name').find()
        return { mine: mine.data.objects.map((p) => p.name), expanded: expanded.data.objects }
      }`,
        { alice: alice.id, bob: bob.id },
      );
      expect(res.mine).toEqual(['tea']);
      expect(res.expanded.map((p: { created_by: unknown }) => p.created_by)).toEqual([
        { id: bob.id, nickname: 'bob', avatar: null },
        { id: alice.id, nickname: 'alice like tea', avatar: null },
      ]);
    });

    it('BaaS.invoke runs the nested function for the caller user, or the user it names', async () => {
      await deploy(
        t,
        'whoami',
        `exports.main = async (event) => event.request ? event.request.user.id : null`,
      );
      const res = await runOk(
        t,
        'invoke_as',
        `exports.main = async (event) => {
        const same = await BaaS.invoke('whoami', {})
        const other = await BaaS.invoke('whoami', {}, true, { userId: event.data.bob })
        return [same.data, other.data]
      }`,
        { bob: bob.id },
        alice.id,
      );
      expect(res).toEqual([alice.id, bob.id]);
    });
  });
});
