/**
 * withinCircle on 100k points on PostgreSQL: the latitude expression index against a scan.
 * `npm exec -- node --no-node-snapshot bench/tables/geo-postgres.ts [count]`, on the server
 * of CLOUDFN_BENCH_DATABASE_URL (default: the tests' local server), in a schema of its own.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { PostgresTableStore } from '../../engine/tables/postgres/index.ts';

const count = Number(process.argv[2] ?? 100_000);
const base = process.env.CLOUDFN_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_geo_${crypto.randomBytes(6).toString('hex')}`;
// mulberry32: a small deterministic PRNG, so runs are comparable (and match bench/tables/geo.ts).
let seed = 42;
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};

const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const url = new URL(base);
url.searchParams.set('options', `-c search_path=${schema}`);
const store = await PostgresTableStore.open({ url: url.toString(), poolSize: 2 });
try {
  await store.createTable({ name: 'places', fields: [{ name: 'origin', type: 'geojson' }] });
  // One city's box (Guangzhou, about 100 km × 100 km): restaurants, shops, stops.
  const box = (): number[] => [112.9 + rand() * 1, 22.6 + rand() * 1];
  for (let i = 0; i < count; i += 1000) {
    const items = Array.from({ length: Math.min(1000, count - i) }, () => ({
      origin: { type: 'Point', coordinates: box() },
    }));
    await store.createMany('places', items);
  }
  await admin.query(`ANALYZE ${schema}."t1_places"`);
  const centers = Array.from({ length: 50 }, box);
  const where = (c: number[], km: number) => ({
    origin: { $center: { radius: km, coordinates: c } },
  });
  const time = async (label: string, km: number) => {
    const start = performance.now();
    let found = 0;
    for (const c of centers)
      found += (await store.find('places', { where: where(c, km), limit: 1000, withCount: false }))
        .objects.length;
    const ms = (performance.now() - start) / centers.length;
    console.log(
      `${label}: ${ms.toFixed(2)} ms per query (${(found / centers.length).toFixed(1)} found)`,
    );
  };
  for (const km of [1, 10, 50]) await time(`withinCircle ${km} km, indexed`, km);
  const plan = await admin.query(
    `EXPLAIN SELECT * FROM ${schema}."t1_places" AS r WHERE (CASE WHEN r."origin"->>'type' = 'Point' THEN (r."origin"->'coordinates'->>1)::float8 END) BETWEEN 23 AND 23.01`,
  );
  console.log('plan:', plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join(' / '));
  await admin.query(`DROP INDEX ${schema}."ix1_origin_lat"`);
  for (const km of [1, 10]) await time(`withinCircle ${km} km, no index`, km);
} finally {
  await store.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
