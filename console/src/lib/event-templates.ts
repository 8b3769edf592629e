import { SAMPLE_PUSHES, pushToEventData } from './samples.ts';

/** Sample `event.data` per source, for 测试 (MinCloud's templates, cloudfn's shapes). */
export type TemplateSource = 'invoke' | 'wechat' | 'table' | 'timer' | 'webhook';

export function eventTemplate(source: TemplateSource, sample = 'user_consume_card'): unknown {
  switch (source) {
    case 'wechat':
      return pushToEventData(SAMPLE_PUSHES[sample] ?? '<xml/>', 'wx2c2769f8efd9abc2');
    case 'table':
      return {
        event: 'create',
        table: 'orders',
        before: null,
        after: { id: '0123456789abcdef01234567', status: 'paid', amount: 100 },
      };
    case 'timer':
      return { scheduledAt: new Date().toISOString(), firedAt: new Date().toISOString() };
    case 'webhook':
      return { order: 'A1001', status: 'paid' };
    default:
      return {};
  }
}
