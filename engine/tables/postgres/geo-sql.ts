/**
 * Geo expressions for PostgreSQL without PostGIS: a stored GeoJSON Point's latitude and
 * longitude (NULL for anything else, so a polygon never passes a band, as on SQLite), and the
 * haversine distance written in the same order of operations as engine/tables/geo.ts, so
 * both backends measure alike. Geojson fields keep an index on the latitude expression.
 */

/** A stored Point's latitude (the indexed expression: keep it byte for byte). */
export function pgLatitude(column: string): string {
  return `(CASE WHEN ${column}->>'type' = 'Point' THEN (${column}->'coordinates'->>1)::float8 END)`;
}

/** A stored Point's longitude. */
export function pgLongitude(column: string): string {
  return `(CASE WHEN ${column}->>'type' = 'Point' THEN (${column}->'coordinates'->>0)::float8 END)`;
}

/**
 * Metres from a stored Point to (lng, lat) given as SQL expressions (parameters); NULL for
 * anything that is not a Point. Mirrors distanceMeters(stored, [lng, lat]).
 */
export function pgDistance(column: string, lng: string, lat: string): string {
  const a1 = pgLatitude(column);
  const a0 = pgLongitude(column);
  const rad = (deg: string) => `((${deg}) * pi() / 180)`;
  const h = `(power(sin(${rad(`${lat} - ${a1}`)} / 2), 2) + cos(${rad(a1)}) * cos(${rad(lat)}) * power(sin(${rad(`${lng} - ${a0}`)} / 2), 2))`;
  // Not least(1, …): PostgreSQL's LEAST skips NULLs, and a non-point must stay NULL.
  const root = `sqrt(${h})`;
  return `(2 * 6371008.8 * asin(CASE WHEN ${root} > 1 THEN 1 ELSE ${root} END))`;
}
