import { describe, expect, it } from 'vitest';
import {
  distanceMeters,
  latitudeBand,
  longitudeBand,
  parseGeo,
  polygonContains,
  type GeoPolygon,
} from '../../../engine/tables/geo.ts';

describe('geo values and tests', () => {
  it('measures great-circle distances', () => {
    // Guangzhou to Beijing: about 1888 km; one degree of longitude at the equator: 111.2 km.
    expect(distanceMeters([113.26, 23.13], [116.4, 39.9]) / 1000).toBeCloseTo(1888, -1);
    expect(distanceMeters([0, 0], [1, 0])).toBeCloseTo(111_195, -1);
    expect(distanceMeters([179.9, 0], [-179.9, 0])).toBeCloseTo(22_239, -1);
  });

  it('bounds a circle by latitude and, away from the poles, longitude', () => {
    const [lo, hi] = latitudeBand(23, 111_195);
    expect(lo).toBeCloseTo(22, 3);
    expect(hi).toBeCloseTo(24, 3);
    const lng = longitudeBand(113, 60, 10_000)!;
    // Every point 10 km away fits in the box.
    expect(lng[0]).toBeLessThan(113 - 10_000 / (111_195 * Math.cos((60 * Math.PI) / 180)));
    expect(longitudeBand(0, 89.5, 10_000)).toBeUndefined();
    expect(longitudeBand(179.99, 0, 10_000)).toBeUndefined();
  });

  it('tests points against polygons with holes', () => {
    const square: GeoPolygon = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [10, 0],
          [10, 10],
          [0, 10],
          [0, 0],
        ],
        [
          [4, 4],
          [6, 4],
          [6, 6],
          [4, 6],
          [4, 4],
        ],
      ],
    };
    expect(polygonContains(square, [1, 1])).toBe(true);
    expect(polygonContains(square, [5, 5])).toBe(false);
    expect(polygonContains(square, [11, 1])).toBe(false);
  });

  it('accepts GeoJSON points and closed polygons only', () => {
    expect(parseGeo({ type: 'Point', coordinates: [113, 23] }).ok).toBe(true);
    expect(parseGeo({ type: 'Point', coordinates: [23, 113] }).ok).toBe(false);
    expect(
      parseGeo({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
          ],
        ],
      }).ok,
    ).toBe(false);
    expect(parseGeo({ type: 'LineString', coordinates: [] }).ok).toBe(false);
    expect(parseGeo('{"type":"Point"}').ok).toBe(false);
  });
});
