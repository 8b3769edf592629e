/**
 * MinCloud's `BaaS.GeoPoint(longitude, latitude)` and `BaaS.GeoPolygon(points)`: values of
 * `geojson` fields and operands of geo queries, sent as GeoJSON (schema/geo.md).
 */
import { badArgument } from './errors.ts';

export class GeoPoint {
  longitude: number;
  latitude: number;
  geoJSON: { type: 'Point'; coordinates: [number, number] };

  constructor(longitude: number, latitude: number) {
    if (typeof longitude !== 'number' || typeof latitude !== 'number')
      throw badArgument('GeoPoint needs (longitude, latitude) as numbers');
    this.longitude = longitude;
    this.latitude = latitude;
    this.geoJSON = { type: 'Point', coordinates: [longitude, latitude] };
  }

  toGeoJSON(): { type: 'Point'; coordinates: [number, number] } {
    return { type: 'Point', coordinates: [this.longitude, this.latitude] };
  }
}

export class GeoPolygon {
  points: Array<[number, number]>;
  geoJSON: { type: 'Polygon'; coordinates: Array<Array<[number, number]>> };

  /** From `[[lng, lat], …]` or from GeoPoints; the first and last must be the same point. */
  constructor(args: Array<[number, number] | GeoPoint>) {
    if (!Array.isArray(args) || args.length < 4)
      throw badArgument('GeoPolygon needs at least 4 points, the last equal to the first');
    this.points = args.map((p) => {
      if (p instanceof GeoPoint) return [p.longitude, p.latitude];
      if (Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number'))
        return [p[0], p[1]];
      throw badArgument('GeoPolygon takes GeoPoints or [longitude, latitude] pairs');
    });
    this.geoJSON = this.toGeoJSON();
  }

  toGeoJSON(): { type: 'Polygon'; coordinates: Array<Array<[number, number]>> } {
    return { type: 'Polygon', coordinates: [this.points.map((p) => [p[0], p[1]])] };
  }
}
