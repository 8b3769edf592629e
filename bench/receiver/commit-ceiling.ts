/**
 * What the disk allows the inbox, without HTTP: pushes per second when each is accepted
 * alone (one commit and one fsync each: the ceiling without group commit) and when they are
 * accepted 32 to a transaction (what group commit does under load).
 */
import { openSqliteEngineStore, type InboxEntry } from '../../engine/store/index.ts';

const SINGLE = 500;
const BATCHES = 200;
const BATCH = 32;

export async function commitCeiling(dbPath: string): Promise<{
  singlePerSecond: number;
  groupedPerSecond: number;
}> {
  const store = openSqliteEngineStore(dbPath);
  try {
    let n = 0;
    const entry = (): InboxEntry => ({
      id: `e${++n}`,
      source: 'wechat_message',
      key: 'wxbench',
      dedupKey: `msgid:${n}`,
      data: {
        ToUserName: 'gh_7f083739789a',
        FromUserName: 'oia2TjuEGTNoeX76QEjQNrcURxG8',
        CreateTime: 1,
        MsgType: 'text',
        Content: '你好',
        MsgId: String(n),
      },
      receivedAt: Date.now(),
    });
    for (let i = 0; i < 50; i++) await store.delivery.accept([entry()]); // warm-up
    let start = performance.now();
    for (let i = 0; i < SINGLE; i++) await store.delivery.accept([entry()]);
    const singlePerSecond = (SINGLE / (performance.now() - start)) * 1000;
    start = performance.now();
    for (let i = 0; i < BATCHES; i++)
      await store.delivery.accept(Array.from({ length: BATCH }, entry));
    const groupedPerSecond = ((BATCHES * BATCH) / (performance.now() - start)) * 1000;
    return { singlePerSecond, groupedPerSecond };
  } finally {
    await store.close();
  }
}
