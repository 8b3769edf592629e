import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../../helpers/engine.ts';
import { createTable, runOk, onEachBackend, startEngineOn } from './helpers.ts';

// MinCloud's schema/geo.md on a real engine: geojson fields, BaaS.GeoPoint and
// BaaS.GeoPolygon, and the queries include, within, withinCircle and withinRegion.
onEachBackend((backend) => {
  let t: TestEngine;

  beforeAll(async () => {
    t = await startEngineOn(backend);
    await createTable(t, 'neighbourhood', [
      { name: 'name', type: 'string' },
      { name: 'area', type: 'geojson' },
    ]);
    await createTable(t, 'restaurant', [
      { name: 'name', type: 'string' },
      { name: 'origin', type: 'geojson' },
    ]);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('geo (schema/geo.md)', () => {
    it('saves a GeoPoint and a GeoPolygon (from numbers or from GeoPoints) as GeoJSON', async () => {
      const res = await runOk(
        t,
        'geo_save',
        `exports.main = async () => {
        var Neighbourhood = new BaaS.TableObject('neighbourhood')
        var polygon = new BaaS.GeoPolygon([[113.30, 23.10], [113.34, 23.10], [113.34, 23.14], [113.30, 23.14], [113.30, 23.10]])
        const a = await Neighbourhood.create().set({ name: 'Tianhe', area: polygon }).save()
        var point1 = new BaaS.GeoPoint(113.40, 23.10)
        var point2 = new BaaS.GeoPoint(113.44, 23.10)
        var point3 = new BaaS.GeoPoint(113.44, 23.14)
        const b = await Neighbourhood.create().set('name', 'Huangpu').set('area', new BaaS.GeoPolygon([point1, point2, point3, point1])).save()
        var Restaurant = new BaaS.TableObject('restaurant')
        const places = [['in Tianhe', 113.32, 23.12], ['near Tianhe', 113.35, 23.12], ['in Huangpu', 113.43, 23.105], ['far away', 116.40, 39.90]]
        for (const [name, lng, lat] of places) {
          var point = new BaaS.GeoPoint(lng, lat)
          await Restaurant.create().set('origin', point).set('name', name).save()
        }
        return { a: a.data.area, b: b.data.area }
      }`,
      );
      expect(res.a).toEqual({
        type: 'Polygon',
        coordinates: [
          [
            [113.3, 23.1],
            [113.34, 23.1],
            [113.34, 23.14],
            [113.3, 23.14],
            [113.3, 23.1],
          ],
        ],
      });
      expect(res.b.coordinates[0]).toHaveLength(4);
    });

    it('include finds the polygons containing a point', async () => {
      const res = await runOk(
        t,
        'geo_include',
        `exports.main = async () => {
        var Neighbourhood = new BaaS.TableObject('neighbourhood')
        var query = new BaaS.Query()
        var point = new BaaS.GeoPoint(113.32, 23.12)
        query.include('area', point)
        return (await Neighbourhood.setQuery(query).find()).data.objects.map((n) => n.name)
      }`,
      );
      expect(res).toEqual(['Tianhe']);
    });

    it('withinCircle (km) and withinRegion (m, nearest first) measure on the sphere', async () => {
      const res = await runOk(
        t,
        'geo_circle',
        `exports.main = async () => {
        var Restaurant = new BaaS.TableObject('restaurant')
        var point = new BaaS.GeoPoint(113.32, 23.12)
        var query = new BaaS.Query()
        query.withinCircle('origin', point, 5)
        const circle = (await Restaurant.setQuery(query).find()).data.objects.map((r) => r.name).sort()
        var query2 = new BaaS.Query()
        query2.withinRegion('origin', point, 20000, 1000)
        const region = (await Restaurant.setQuery(query2).find()).data.objects.map((r) => r.name)
        var query3 = new BaaS.Query()
        query3.withinRegion('origin', point, 20000)
        const all = (await Restaurant.setQuery(query3).find()).data.objects.map((r) => r.name)
        var query4 = new BaaS.Query()
        query4.withinCircle('origin', point, 2000)
        const beijing = await Restaurant.setQuery(query4).count()
        return { circle, region, all, beijing }
      }`,
      );
      // 113.35 is ~3.1 km east of 113.32 at this latitude; Huangpu's is ~11.5 km away.
      expect(res.circle).toEqual(['in Tianhe', 'near Tianhe']);
      expect(res.region).toEqual(['near Tianhe', 'in Huangpu']);
      expect(res.all).toEqual(['in Tianhe', 'near Tianhe', 'in Huangpu']);
      // Beijing is ~1890 km from Guangzhou on the sphere.
      expect(res.beijing).toBe(4);
    });

    it('within finds the points inside a polygon read back from a record', async () => {
      const res = await runOk(
        t,
        'geo_within',
        `exports.main = async () => {
        var Neighbourhood = new BaaS.TableObject('neighbourhood')
        const found = await Neighbourhood.setQuery(new BaaS.Query().compare('name', '=', 'Huangpu')).find()
        const res = await Neighbourhood.get(found.data.objects[0].id)
        var neighbourhood = res.data
        var query = new BaaS.Query()
        var neighbourhoodPolygon = new BaaS.GeoPolygon(neighbourhood['area'].coordinates[0])
        query.within('origin', neighbourhoodPolygon)
        var Restaurant = new BaaS.TableObject('restaurant')
        return (await Restaurant.setQuery(query).find()).data.objects.map((r) => r.name)
      }`,
      );
      expect(res).toEqual(['in Huangpu']);
    });

    it('a value that is not GeoJSON, and a non-geo query on a geojson field, are refused', async () => {
      const res = await runOk(
        t,
        'geo_refused',
        `exports.main = async () => {
        const out = []
        const Restaurant = new BaaS.TableObject('restaurant')
        await Restaurant.create().set('origin', { type: 'Point', coordinates: [200, 0] }).save()
          .catch((e) => out.push([e.code, e.reason]))
        await Restaurant.setQuery(new BaaS.Query().compare('origin', '=', 1)).find()
          .catch((e) => out.push([e.code, e.reason]))
        return out
      }`,
      );
      expect(res).toEqual([
        [400, 'E_TABLE_FIELD_TYPE'],
        [400, 'E_TABLE_BAD_WHERE'],
      ]);
    });
  });
});
