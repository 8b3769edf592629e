/**
 * The SQL functions behind geo queries, registered on each connection. Stored values are
 * GeoJSON text; a value that is not the kind a test needs (a polygon for a distance) is
 * simply not matched.
 */
import type Database from 'better-sqlite3';
import { type GeoPolygon, distanceMeters, parseGeo, polygonContains, storedGeo } from '../geo.ts';

/** The SQL expression of a stored point's latitude; geojson fields keep an index on it. */
export function latitudeExpr(column: string): string {
  return `json_extract(${column}, '$.coordinates[1]')`;
}

/** A stored point's longitude: a cheap test before the distance is measured. */
export function longitudeExpr(column: string): string {
  return `json_extract(${column}, '$.coordinates[0]')`;
}

export function registerGeoFunctions(db: Database.Database): void {
  // cf_geo_distance(stored, lng, lat): metres from a stored Point, NULL for anything else.
  db.function(
    'cf_geo_distance',
    { deterministic: true },
    (stored: unknown, lng: unknown, lat: unknown) => {
      const geo = storedGeo(stored);
      if (geo?.type !== 'Point' || typeof lng !== 'number' || typeof lat !== 'number') return null;
      return distanceMeters(geo.coordinates, [lng, lat]);
    },
  );
  // cf_geo_contains(stored, lng, lat): 1 when a stored Polygon contains the point (or a
  // stored Point is that point): MinCloud's include.
  db.function(
    'cf_geo_contains',
    { deterministic: true },
    (stored: unknown, lng: unknown, lat: unknown) => {
      const geo = storedGeo(stored);
      if (geo === undefined || typeof lng !== 'number' || typeof lat !== 'number') return 0;
      if (geo.type === 'Point')
        return geo.coordinates[0] === lng && geo.coordinates[1] === lat ? 1 : 0;
      return polygonContains(geo, [lng, lat]) ? 1 : 0;
    },
  );
  // cf_geo_within(stored, polygonJson): 1 when a stored Point lies in the polygon. The
  // polygon is the same for every row of a query: parse it once.
  let lastText = '';
  let lastPolygon: GeoPolygon | undefined;
  db.function('cf_geo_within', { deterministic: true }, (stored: unknown, polygonText: unknown) => {
    if (typeof polygonText !== 'string') return 0;
    if (polygonText !== lastText) {
      lastText = polygonText;
      const parsed = parseGeo(JSON.parse(polygonText));
      lastPolygon = parsed.ok && parsed.value.type === 'Polygon' ? parsed.value : undefined;
    }
    const geo = storedGeo(stored);
    if (geo?.type !== 'Point' || lastPolygon === undefined) return 0;
    return polygonContains(lastPolygon, geo.coordinates) ? 1 : 0;
  });
}
