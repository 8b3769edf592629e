import { describe, expect, test } from 'vitest';
import { renderRecordTemplate, triggerSubject } from '../../../engine/triggers/index.ts';
import { CONSUME_CARD, PIC_WEIXIN } from './push-samples.ts';

describe('renderRecordTemplate', () => {
  test('the issue example: a whole placeholder keeps the value type', () => {
    expect(
      renderRecordTemplate({ openid: '{{FromUserName}}', at: '{{CreateTime}}' }, CONSUME_CARD),
    ).toEqual({
      openid: 'oZI8Fj040-be6rlDohc6gkoPOQTQ',
      at: 1472549042,
    });
  });

  test.each([
    ['number', { n: 3 }, 3],
    ['boolean', { n: false }, false],
    ['null', { n: null }, null],
    ['object', { n: { a: [1] } }, { a: [1] }],
    ['array', { n: ['x', 2] }, ['x', 2]],
    ['empty text', { n: '' }, ''],
    ['missing field → null', {}, null],
  ])('whole placeholder of a %s', (_t, data, expected) => {
    expect(renderRecordTemplate({ v: '{{n}}' }, data)).toEqual({ v: expected });
  });

  test('spaces inside the braces are allowed', () => {
    expect(renderRecordTemplate({ v: '{{  CreateTime }}' }, CONSUME_CARD)).toEqual({
      v: 1472549042,
    });
  });

  test.each([
    ['text', 'card {{CardId}}!', 'card pZI8Fj8y-E8hpvho2d1ZvpGwQBvA!'],
    ['number', 'at {{CreateTime}}', 'at 1472549042'],
    ['two placeholders', '{{MsgType}}/{{Event}}', 'event/user_consume_card'],
    ['missing → empty', 'x{{Nope}}y', 'xy'],
    ['empty text', '[{{VerifyCode}}]', '[]'],
  ])('interpolated %s', (_t, template, expected) => {
    expect(renderRecordTemplate({ v: template }, CONSUME_CARD)).toEqual({ v: expected });
  });

  test('interpolated null, boolean and object', () => {
    const data = { n: null, b: true, o: { a: 1 }, l: [1, 'x'] };
    expect(renderRecordTemplate({ v: '{{n}}|{{b}}|{{o}}|{{l}}' }, data)).toEqual({
      v: '|true|{"a":1}|[1,"x"]',
    });
  });

  test('lookup: case-insensitive, dotted paths, array indexes', () => {
    expect(
      renderRecordTemplate(
        {
          who: '{{fromusername}}',
          count: '{{SendPicsInfo.Count}}',
          md5: '{{SendPicsInfo.PicList[1].item.0.PicMd5Sum}}',
        },
        PIC_WEIXIN,
      ),
    ).toEqual({ who: 'xiaohe', count: '2', md5: 'c4564632a4fab91378c39bea6aad6f9e' });
  });

  test('nested objects and arrays are rendered; keys and non-text leaves are kept', () => {
    const template = {
      meta: {
        user: '{{FromUserName}}',
        tags: ['{{Event}}', 'static', 7, true, null, { deep: '{{CreateTime}}' }],
      },
      '{{Event}}': 'key is not a template',
    };
    expect(renderRecordTemplate(template, CONSUME_CARD)).toEqual({
      meta: {
        user: 'oZI8Fj040-be6rlDohc6gkoPOQTQ',
        tags: ['user_consume_card', 'static', 7, true, null, { deep: 1472549042 }],
      },
      '{{Event}}': 'key is not a template',
    });
  });

  test('text without placeholders, and lone braces, stay as they are', () => {
    expect(renderRecordTemplate({ a: 'plain', b: 'a } b', c: '{single}' }, {})).toEqual({
      a: 'plain',
      b: 'a } b',
      c: '{single}',
    });
  });

  test('the template is not modified, and a rendered value is not shared with the event', () => {
    const template = { v: '{{o}}', w: ['{{o.a}}'] };
    const copy = structuredClone(template);
    const event = { o: { a: 1 } };
    const record = renderRecordTemplate(template, event);
    expect(template).toEqual(copy);
    expect(record).toEqual({ v: { a: 1 }, w: [1] });
    expect(record['v']).not.toBe(event.o);
  });

  test('table sources render from the row via triggerSubject', () => {
    const data = {
      event: 'update',
      before: { status: 'new' },
      after: { status: 'paid', id: 'r1' },
      table: 'orders',
    };
    expect(
      renderRecordTemplate(
        {
          id: '{{id}}',
          from: '{{$before.status}}',
          to: '{{status}}',
          what: '{{$event}} on {{$table}}',
        },
        triggerSubject({ type: 'table' }, data),
      ),
    ).toEqual({ id: 'r1', from: 'new', to: 'paid', what: 'update on orders' });
  });
});
