/**
 * The shape of the claim's plan on PostgreSQL, not its speed: it updates the rows it picked
 * by row address (a TID scan), never by a scan of the whole queue. Such a scan was what most
 * claims of a bench run did, reading every dead row the queue leaves between vacuums
 * (docs/performance.md, "Named statements, and plans that do not go stale"). Planned as the
 * bookkeeping pool plans it: afresh at each run, on a queue as a busy engine leaves it (a few
 * hundred items waiting, thousands of dead rows of those that ran). It fails with the
 * statement before the change (a join on the id: a sequential scan of the queue).
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresEngineStore } from '../../../engine/store/postgres/index.ts';
import { CLAIM } from '../../../engine/store/postgres/claims.ts';
import { createSecretBox } from '../../../engine/secrets/secret-box.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();

interface PlanNode {
  'Node Type': string;
  Operation?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, depth first. */
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** The scans of `queue` under the plan's update of it. */
function queueScansUnderUpdate(plan: PlanNode): string[] {
  const modify = nodesOf(plan).find(
    (n) =>
      n['Node Type'] === 'ModifyTable' &&
      n.Operation === 'Update' &&
      n['Relation Name'] === 'queue',
  );
  expect(modify, 'no update of queue in the plan').toBeDefined();
  return nodesOf(modify!)
    .slice(1)
    .filter((n) => n['Relation Name'] === 'queue')
    .map((n) => n['Node Type']);
}

describe.skipIf(!pgUp)('the plan of the claim on PostgreSQL', () => {
  let schema: TestSchema;
  let client: pg.Client;

  beforeAll(async () => {
    schema = await createTestSchema('claim_plans');
    // The engine's own migrations make the tables and indexes.
    const store = await openPostgresEngineStore(schema.url, {
      secrets: createSecretBox(crypto.randomBytes(32)),
      poolSize: 2,
    });
    await store.close();
    client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    await client.query('SET plan_cache_mode = force_custom_plan'); // as the bookkeeping pool
    // A queue as a busy engine leaves it: items due later, and the dead rows of those run.
    await client.query(`
      INSERT INTO queue (id, trigger, lane, inbox_id, attempts, run_at)
      SELECT 'later-' || g, 't', 'function:f', NULL, 0, 4000000000000 FROM generate_series(1, 300) g`);
    await client.query(`
      INSERT INTO queue (id, trigger, lane, inbox_id, attempts, run_at)
      SELECT 'ran-' || g, 't', 'function:f', NULL, 0, g FROM generate_series(1, 3000) g`);
    await client.query(`DELETE FROM queue WHERE id LIKE 'ran-%'`);
    await client.query(`
      INSERT INTO queue (id, trigger, lane, inbox_id, attempts, run_at)
      SELECT 'due-' || g, 't', 'function:f', NULL, 0, g FROM generate_series(1, 20) g`);
  });

  afterAll(async () => {
    await client?.end();
    await schema?.drop();
  });

  const explain = async (name: string, types: string, text: string, args: string) => {
    await client.query(`PREPARE ${name} (${types}) AS ${text}`);
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) EXECUTE ${name} (${args})`,
    );
    return rows[0]!['QUERY PLAN'][0].Plan;
  };

  it('a claim updates what it picked by row address, not by a scan of the queue', async () => {
    const plan = await explain(
      'claim',
      'text, bigint, int, bigint, int, text[], int[]',
      CLAIM,
      `'me', 1000, 32, 61000, 32, '{}', '{}'`,
    );
    const scans = queueScansUnderUpdate(plan);
    expect(scans).toContain('Tid Scan');
    expect(scans).not.toContain('Seq Scan');
  });
});
