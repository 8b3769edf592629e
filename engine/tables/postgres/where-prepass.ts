/**
 * The leaves of a `where` that JavaScript answers, asked before the SQL is written: `$regex`
 * (run by the same linear-time matcher as on SQLite: PostgreSQL's regex dialect is not
 * JavaScript's) and the polygon tests of geo.ts (include, within). Each reads the values it
 * tests (a regex: the distinct strings of its target; within: the points in the polygon's
 * latitude band) and becomes a plain SQL test: "one of these strings", "one of these records".
 */
import { polygonContains, storedGeo } from '../geo.ts';
import { createRegexpFunction } from '../regex.ts';
import type { Condition } from '../where.ts';
import { unescapeText } from './nul-escape.ts';
import { pgLatitude } from './geo-sql.ts';
import type { PgCondition, PgValue } from './where-sql.ts';

export type RunQuery = (sql: string, params: PgValue[]) => Promise<Array<Record<string, unknown>>>;

/** Whether a tree has leaves only JavaScript can answer (most have none: no extra query). */
export function needsPrepass(c: Condition): boolean {
  if (c.kind === 'and' || c.kind === 'or') return c.items.some(needsPrepass);
  return c.kind === 'regex' || c.kind === 'geoIncludes' || c.kind === 'geoWithin';
}

/** The tree with its regex and polygon leaves answered, reading from the table `ident`. */
export async function prepass(c: Condition, ident: string, run: RunQuery): Promise<PgCondition> {
  const regexp = createRegexpFunction();
  const walk = async (node: Condition): Promise<PgCondition> => {
    switch (node.kind) {
      case 'and':
      case 'or':
        return { kind: node.kind, items: await Promise.all(node.items.map(walk)) };
      case 'regex': {
        const t = node.target;
        const value = t.path === undefined ? t.column : `(${t.column} #> $1::text[]) #>> '{}'`;
        const where =
          t.path === undefined
            ? `${t.column} IS NOT NULL`
            : `jsonb_typeof(${t.column} #> $1::text[]) = 'string'`;
        const rows = await run(
          `SELECT DISTINCT ${value} AS v FROM ${ident} AS r WHERE ${where}`,
          t.path === undefined ? [] : [t.path],
        );
        const values: string[] = [];
        for (const row of rows) {
          const stored = row.v as string;
          if (regexp(node.pattern, node.flags, unescapeText(stored)) === 1) values.push(stored);
        }
        return { kind: 'textIn', target: t, values };
      }
      case 'geoIncludes': {
        const col = node.target.column;
        const rows = await run(
          `SELECT r."_seq" AS seq, ${col}::text AS g FROM ${ident} AS r WHERE ${col}->>'type' = 'Polygon'`,
          [],
        );
        const seqs = rows
          .filter((row) => {
            const geo = storedGeo(row.g);
            return geo?.type === 'Polygon' && polygonContains(geo, node.point);
          })
          .map((row) => Number(row.seq));
        return {
          kind: 'or',
          items: [
            { kind: 'pointIs', target: node.target, point: node.point },
            { kind: 'seqIn', seqs },
          ],
        };
      }
      case 'geoWithin': {
        const col = node.target.column;
        const rows = await run(
          `SELECT r."_seq" AS seq, ${col}::text AS g FROM ${ident} AS r WHERE ${pgLatitude(col)} BETWEEN $1::float8 AND $2::float8`,
          [node.lat[0], node.lat[1]],
        );
        const seqs = rows
          .filter((row) => {
            const geo = storedGeo(row.g);
            return geo?.type === 'Point' && polygonContains(node.polygon, geo.coordinates);
          })
          .map((row) => Number(row.seq));
        return { kind: 'seqIn', seqs };
      }
      default:
        return node;
    }
  };
  return walk(c);
}
