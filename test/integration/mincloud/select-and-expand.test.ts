import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../../helpers/engine.ts';
import { createTable, runOk, onEachBackend, startEngineOn } from './helpers.ts';

// MinCloud's pointers and expand, run on a real engine: schema/create-record.md ("添加
// pointer 类型数据") and schema/select-and-expand.md.
onEachBackend((backend) => {
  let t: TestEngine;
  let userId: number;

  beforeAll(async () => {
    t = await startEngineOn(backend);
    userId = (await t.api('POST', '/users', { openid: 'oPointer01', nickname: 'Larry' })).body.id;
    await createTable(t, 'Comment', [{ name: 'text', type: 'string' }]);
    await createTable(t, 'Article', [
      { name: 'title', type: 'string' },
      { name: 'comment', type: 'pointer', to: 'Comment' },
      { name: 'user', type: 'pointer', to: '_userprofile' },
    ]);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('pointers and expand', () => {
    // schema/create-record.md, "添加 pointer 类型数据": getWithoutData(id) as the value
    it('a getWithoutData(id) saved into a pointer field reads back as {id, _table}', async () => {
      const res = await runOk(
        t,
        'add_pointer',
        `exports.main = async function addPointer(event) {
        let Comment = new BaaS.TableObject('Comment')
        const saved = await Comment.create().set({ text: 'nice' }).save()
        let comment = Comment.getWithoutData(saved.data.id)
        let user = new BaaS.User().getWithoutData(event.data.userId)
        let Article = new BaaS.TableObject('Article')
        let article = Article.create()
        article.set('comment', comment)
        article.set('user', user)
        article.set('title', 'hello')
        article.set('created_by', event.data.userId)
        const res = await article.save()
        return { res, commentId: saved.data.id }
      }`,
        { userId },
      );
      expect(res.res.status).toBe(201);
      expect(res.res.data.comment).toEqual({ id: res.commentId, _table: 'Comment' });
      expect(res.res.data.user).toEqual({ id: userId, _table: '_userprofile' });
    });

    // schema/select-and-expand.md, "字段扩展": expand(['created_by', 'pointer']) in get and find
    it('expand replaces pointers with their records and created_by with the user', async () => {
      const res = await runOk(
        t,
        'expand_pointer',
        `exports.main = async () => {
        var Article = new BaaS.TableObject('Article')
        var query = new BaaS.Query()
        query.compare('title', '=', 'hello')
        const found = await Article.setQuery(query).expand(['created_by', 'comment', 'user']).find()
        const one = await Article.expand('comment').get(found.data.objects[0].id)
        const plain = await Article.get(found.data.objects[0].id)
        return { found: found.data.objects[0], one: one.data, plain: plain.data }
      }`,
      );
      expect(res.found.created_by).toEqual({ id: userId, nickname: 'Larry', avatar: null });
      expect(res.found.comment).toMatchObject({ _table: 'Comment', text: 'nice' });
      expect(res.found.user).toMatchObject({
        _table: '_userprofile',
        id: userId,
        nickname: 'Larry',
      });
      expect(res.one.comment).toMatchObject({ _table: 'Comment', text: 'nice' });
      expect(res.one.created_by).toBe(userId);
      expect(res.plain.comment).toEqual({ id: res.found.comment.id, _table: 'Comment' });
    });

    // select-and-expand.md: select('pointer.attr') keeps only those fields of the expanded pointer
    it("select(['created_by.nickname', 'comment.text']) trims the expanded records", async () => {
      const res = await runOk(
        t,
        'select_sub',
        `exports.main = async () => {
        const Article = new BaaS.TableObject('Article')
        const found = await Article.expand(['created_by', 'comment']).select(['created_by.nickname', 'comment.text']).find()
        const one = await Article.expand('comment').select(['title', 'comment.text']).get(found.data.objects[0].id)
        return { found: found.data.objects[0], one: one.data }
      }`,
      );
      expect(res.found).toEqual({
        id: expect.any(String),
        created_by: { id: userId, nickname: 'Larry' },
        comment: { id: expect.any(String), _table: 'Comment', text: 'nice' },
      });
      expect(res.one).toEqual({
        id: res.found.id,
        title: 'hello',
        comment: { id: res.found.comment.id, _table: 'Comment', text: 'nice' },
      });
    });

    it('a pointer field is queried by the record it points at; a bad pointer is refused', async () => {
      const res = await runOk(
        t,
        'query_pointer',
        `exports.main = async (event) => {
        const Article = new BaaS.TableObject('Article')
        const user = new BaaS.User().getWithoutData(event.data.userId)
        const count = await Article.setQuery(new BaaS.Query().compare('user', '=', user)).count()
        let refused = null
        try {
          await Article.create().set({ comment: 'not-an-id' }).save()
        } catch (e) {
          refused = { code: e.code, reason: e.reason, fields: e.details && e.details.fields }
        }
        return { count, refused }
      }`,
        { userId },
      );
      expect(res).toEqual({
        count: 1,
        refused: { code: 400, reason: 'E_TABLE_FIELD_TYPE', fields: ['comment'] },
      });
    });
  });
});
