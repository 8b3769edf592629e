/**
 * Geo values and tests for `geojson` fields (pure): MinCloud's GeoPoint and GeoPolygon are
 * GeoJSON `Point` and `Polygon` objects, `[longitude, latitude]` in degrees (schema/geo.md).
 * Distances are on the sphere (haversine, mean Earth radius), as MinCloud's circle and
 * region queries measure them; a point-in-polygon test treats polygon edges as straight
 * lines in longitude/latitude, which matches the sphere closely for the small areas these
 * queries are for (a neighbourhood, a city) and not for polygons spanning continents.
 */

export interface GeoPoint {
  type: 'Point';
  coordinates: [number, number];
}

export interface GeoPolygon {
  type: 'Polygon';
  coordinates: Array<Array<[number, number]>>;
}

export type GeoValue = GeoPoint | GeoPolygon;

const EARTH_RADIUS_M = 6_371_008.8;
const MAX_RING_POSITIONS = 10_000;

function isPosition(value: unknown): value is [number, number] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'number' &&
    typeof value[1] === 'number' &&
    value[0] >= -180 &&
    value[0] <= 180 &&
    value[1] >= -90 &&
    value[1] <= 90
  );
}

function isRing(value: unknown): value is Array<[number, number]> {
  if (!Array.isArray(value) || value.length < 4 || value.length > MAX_RING_POSITIONS) return false;
  if (!value.every(isPosition)) return false;
  const first = value[0] as [number, number];
  const last = value[value.length - 1] as [number, number];
  return first[0] === last[0] && first[1] === last[1];
}

/** The GeoJSON value, or a message saying what is wrong with it. */
export function parseGeo(
  value: unknown,
): { ok: true; value: GeoValue } | { ok: false; message: string } {
  const v = value as { type?: unknown; coordinates?: unknown } | null;
  if (v !== null && typeof v === 'object' && v.type === 'Point') {
    if (isPosition(v.coordinates))
      return {
        ok: true,
        value: { type: 'Point', coordinates: [v.coordinates[0], v.coordinates[1]] },
      };
    return {
      ok: false,
      message: 'a Point needs coordinates [longitude -180…180, latitude -90…90]',
    };
  }
  if (v !== null && typeof v === 'object' && v.type === 'Polygon') {
    const rings = v.coordinates;
    if (Array.isArray(rings) && rings.length >= 1 && rings.length <= 100 && rings.every(isRing))
      return {
        ok: true,
        value: {
          type: 'Polygon',
          coordinates: (rings as Array<Array<[number, number]>>).map((r) =>
            r.map((p) => [p[0], p[1]] as [number, number]),
          ),
        },
      };
    return {
      ok: false,
      message:
        'a Polygon needs rings of at least 4 [longitude, latitude] positions, each ring closed (its last position equal to its first)',
    };
  }
  return { ok: false, message: 'a GeoJSON Point or Polygon (BaaS.GeoPoint, BaaS.GeoPolygon)' };
}

const rad = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle distance in metres between two [longitude, latitude] positions. */
export function distanceMeters(a: [number, number], b: [number, number]): number {
  const dLat = rad(b[1] - a[1]);
  const dLng = rad(b[0] - a[0]);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[1])) * Math.cos(rad(b[1])) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The latitude band (degrees) that holds every point within `meters` of latitude `lat`. */
export function latitudeBand(lat: number, meters: number): [number, number] {
  const deg = (meters / EARTH_RADIUS_M) * (180 / Math.PI);
  return [Math.max(-90, lat - deg), Math.min(90, lat + deg)];
}

/**
 * The longitude band (degrees) that holds every point within `meters` of a point at `lat`,
 * or undefined near the poles or when it would wrap around the antimeridian.
 */
export function longitudeBand(
  lng: number,
  lat: number,
  meters: number,
): [number, number] | undefined {
  const [lo, hi] = latitudeBand(lat, meters);
  const worst = Math.max(Math.abs(lo), Math.abs(hi));
  if (worst >= 89) return undefined;
  const deg = ((meters / EARTH_RADIUS_M) * (180 / Math.PI)) / Math.cos(rad(worst));
  if (lng - deg < -180 || lng + deg > 180) return undefined;
  return [lng - deg, lng + deg];
}

function inRing(p: [number, number], ring: Array<[number, number]>): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi)
      inside = !inside;
  }
  return inside;
}

/** Whether the polygon (its outer ring, minus its holes) contains the point. */
export function polygonContains(polygon: GeoPolygon, p: [number, number]): boolean {
  const [outer, ...holes] = polygon.coordinates;
  if (!outer || !inRing(p, outer)) return false;
  return !holes.some((hole) => inRing(p, hole));
}

/** Reads a stored value (JSON text); undefined for anything that is not stored GeoJSON. */
export function storedGeo(text: unknown): GeoValue | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const parsed = parseGeo(JSON.parse(text));
    return parsed.ok ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}
