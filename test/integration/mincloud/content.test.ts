import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../../helpers/engine.ts';
import { runOk, onEachBackend, startEngineOn } from './helpers.ts';

// MinCloud's content library (content/*.md) on a real engine: the admin fills the built-in
// tables _content_group, _content_category and _richtextcontent; functions read them with
// BaaS.ContentGroup, BaaS.Content and BaaS.ContentCategory.
onEachBackend((backend) => {
  let t: TestEngine;
  let news: number;
  let other: number;
  let tech: number;
  let phones: number;

  beforeAll(async () => {
    t = await startEngineOn(backend);
    const add = async (table: string, record: Record<string, unknown>) => {
      const answer = await t.api('POST', `/tables/${table}/records`, record);
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body.id as number;
    };
    news = await add('_content_group', { name: '资讯' });
    other = await add('_content_group', { name: '文章' });
    tech = await add('_content_category', { name: 'tech', group_id: news });
    phones = await add('_content_category', { name: 'phones', group_id: news, parent: tech });
    await add('_richtextcontent', {
      title: 'iphone X',
      content: '<p>…</p>',
      description: 'iphoneX 发布',
      categories: [phones],
      group_id: news,
    });
    await add('_richtextcontent', { title: 'weather', categories: [], group_id: news });
    await add('_richtextcontent', { title: 'elsewhere', categories: [phones], group_id: other });
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('content (content/*.md)', () => {
    // content/content-group.md: BaaS.ContentGroup.get(id), BaaS.ContentGroup.find(options)
    it('ContentGroup.get and ContentGroup.find read the libraries', async () => {
      const res = await runOk(
        t,
        'content_groups',
        `exports.main = async (event) => {
        let res = await BaaS.ContentGroup.get(event.data.news)
        let list = await BaaS.ContentGroup.find({withCount: false})
        return { one: res.data, names: list.data.objects.map((g) => g.name), meta: list.data.meta }
      }`,
        { news },
      );
      expect(res.one).toMatchObject({ id: news, name: '资讯' });
      expect(res.names).toEqual(['资讯', '文章']);
      expect(res.meta.total_count).toBeUndefined();
    });

    // content/README.md and content/content.md: new BaaS.Content(groupID), arrayContains
    it('Content(groupID) finds, counts and gets the contents of one library only', async () => {
      const res = await runOk(
        t,
        'content_find',
        `exports.main = async (event) => {
        let MyContent = new BaaS.Content(event.data.news)
        let query = new BaaS.Query()
        query.arrayContains('categories', [event.data.phones])
        const found = await MyContent.setQuery(query).find()
        const count = await MyContent.count()
        const one = await MyContent.get(found.data.objects[0].id)
        return { titles: found.data.objects.map((c) => c.title), count, one: one.data }
      }`,
        { news, phones },
      );
      expect(res.titles).toEqual(['iphone X']);
      expect(res.count).toBe(2);
      expect(res.one).toMatchObject({
        title: 'iphone X',
        description: 'iphoneX 发布',
        group_id: news,
        categories: [phones],
      });
      expect(Number.isInteger(res.one.id)).toBe(true);
    });

    it('Content(groupID).create() makes a content of that library', async () => {
      const res = await runOk(
        t,
        'content_create',
        `exports.main = async (event) => {
        let MyContent = new BaaS.Content(event.data.other)
        let content = MyContent.create()
        let data = { title: 'Test Title', content: 'test content' }
        return (await content.set(data).save()).data
      }`,
        { other },
      );
      expect(res).toMatchObject({
        title: 'Test Title',
        content: 'test content',
        group_id: other,
        categories: [],
      });
    });

    // content/content-category.md: get, find, create({name, parent}), update(id, {...})
    it('ContentCategory reads categories with parent and subcategories, and creates and updates them', async () => {
      const res = await runOk(
        t,
        'content_categories',
        `exports.main = async (event) => {
        let MyContentCategory = new BaaS.ContentCategory(event.data.news)
        const one = await MyContentCategory.get(event.data.phones)
        const parent = await MyContentCategory.get(event.data.tech)
        const created = await MyContentCategory.create({ name: 'tablets', parent: event.data.tech })
        const updated = await MyContentCategory.update(created.data.id, { name: 'pads' })
        const all = await MyContentCategory.find()
        return { one: one.data, parent: parent.data, updated: updated.data, names: all.data.objects.map((c) => c.name) }
      }`,
        { news, tech, phones },
      );
      expect(res.one).toMatchObject({
        id: phones,
        name: 'phones',
        parent: { id: tech, name: 'tech' },
        subcategories: [],
      });
      expect(res.parent).toMatchObject({
        parent: null,
        subcategories: [{ id: phones, name: 'phones' }],
      });
      expect(res.updated).toMatchObject({ name: 'pads', parent: { id: tech, name: 'tech' } });
      expect(res.names).toEqual(['tech', 'phones', 'pads']);
    });

    it('the deprecated new BaaS.ContentGroup(id) still reads contents and categories', async () => {
      const res = await runOk(
        t,
        'content_group_old',
        `exports.main = async (event) => {
        let MyContentGroup = new BaaS.ContentGroup(event.data.news)
        const list = await MyContentGroup.find()
        const category = await MyContentGroup.getCategory(event.data.phones)
        const categories = await MyContentGroup.getCategoryList()
        const content = await MyContentGroup.getContent(list.data.objects[0].id)
        return { n: list.data.objects.length, category: category.data.name, categories: categories.data.objects.length, title: content.data.title }
      }`,
        { news, phones },
      );
      expect(res).toEqual({ n: 2, category: 'phones', categories: 3, title: 'iphone X' });
    });

    it('the built-in content tables cannot be dropped', async () => {
      const answer = await t.api('DELETE', '/tables/_richtextcontent');
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('E_TABLE_BUILTIN');
    });
  });
});
