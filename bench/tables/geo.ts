/**
 * withinCircle on 100k points: the latitude index against a full scan.
 * `npm exec -- node --no-node-snapshot bench/tables/geo.ts [count]`
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteTableStore } from '../../engine/tables/sqlite/index.ts';

const count = Number(process.argv[2] ?? 100_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-geo-bench-'));
const file = path.join(dir, 'tables.db');
// mulberry32: a small deterministic PRNG, so runs are comparable.
let seed = 42;
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};
try {
  const store = new SqliteTableStore({ path: file });
  store.createTable({ name: 'places', fields: [{ name: 'origin', type: 'geojson' }] });
  // One city's box (Guangzhou, about 100 km × 100 km): restaurants, shops, stops.
  const box = (): number[] => [112.9 + rand() * 1, 22.6 + rand() * 1];
  for (let i = 0; i < count; i += 1000) {
    const items = Array.from({ length: Math.min(1000, count - i) }, () => ({
      origin: { type: 'Point', coordinates: box() },
    }));
    store.createMany('places', items);
  }
  const centers = Array.from({ length: 50 }, box);
  const where = (c: number[], km: number) => ({
    origin: { $center: { radius: km, coordinates: c } },
  });
  const time = (label: string, fn: (center: number[]) => number) => {
    const start = performance.now();
    let found = 0;
    for (const c of centers) found += fn(c);
    const ms = (performance.now() - start) / centers.length;
    console.log(
      `${label}: ${ms.toFixed(2)} ms per query (${(found / centers.length).toFixed(1)} found)`,
    );
  };
  for (const km of [1, 10, 50])
    time(
      `withinCircle ${km} km, indexed`,
      (c) =>
        store.find('places', { where: where(c, km), limit: 1000, withCount: false }).objects.length,
    );
  store.close();
  // The same query without the index: what the index saves.
  const raw = new Database(file);
  raw.function('cf_geo_distance', { deterministic: true }, () => 0);
  const plan = raw
    .prepare(
      `EXPLAIN QUERY PLAN SELECT * FROM t_places AS r WHERE json_extract(r."origin", '$.coordinates[1]') BETWEEN ? AND ?`,
    )
    .all(1, 2) as Array<{ detail: string }>;
  console.log('plan:', plan.map((p) => p.detail).join('; '));
  raw.close();
  const scan = new SqliteTableStore({ path: file });
  (scan as unknown as { db: Database.Database }).db.exec('DROP INDEX ix1_origin_lat');
  for (const km of [1, 10])
    time(
      `withinCircle ${km} km, no index`,
      (c) =>
        scan.find('places', { where: where(c, km), limit: 1000, withCount: false }).objects.length,
    );
  scan.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
