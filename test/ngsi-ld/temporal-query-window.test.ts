// q and geo-queries of the temporal API are evaluated against the attribute instances inside the
// time window (clause 5.7.4, 6.18.3.2), not against the entity's current state.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { testApp, JSON_HEADERS, type TestApp } from '../support/app.ts';

const BASE = Date.parse('2026-03-02T00:00:00.000Z');
const day = (d: number) => new Date(BASE + d * 86_400_000).toISOString();
const CAR = 'urn:ngsi-ld:Vehicle:c1';
const BUS = 'urn:ngsi-ld:Vehicle:b1';

describe('temporal query filters on the instances in the time window', () => {
  let t: TestApp;
  const inject = (o: InjectOptions) => t.app.inject(o);
  const ids = async (qs: string) => {
    const r = await inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities?${qs}` });
    assert.equal(r.statusCode, 200, `${qs}: ${r.body}`);
    return { ids: (r.json() as Array<{ id: string }>).map((e) => e.id).sort(), count: r.headers['ngsild-results-count'], body: r.json() as Array<Record<string, unknown>> };
  };
  const patch = async (id: string, speed: number, d: number, coords: [number, number]) => {
    const r = await inject({ method: 'PATCH', url: `/ngsi-ld/v1/entities/${id}/attrs`, headers: JSON_HEADERS, payload: {
      speed: { type: 'Property', value: speed, observedAt: day(d) },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: coords }, observedAt: day(d) },
    } });
    assert.equal(r.statusCode, 204, r.body);
  };

  before(async () => {
    t = await testApp();
    for (const id of [CAR, BUS]) {
      const r = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: {
        id, type: 'Vehicle', speed: { type: 'Property', value: 10, observedAt: day(0) },
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.2, 51.5] }, observedAt: day(0) },
      } });
      assert.equal(r.statusCode, 201, r.body);
    }
    // The car was fast on day 3, near Bochum; today it stands still in Herne. The bus never sped.
    await patch(CAR, 30, 3, [7.22, 51.48]);
    await patch(CAR, 0, 10, [7.2, 51.5]);
    await patch(BUS, 20, 3, [7.2, 51.5]);
  });
  after(async () => { await t.close(); });

  test('[5.7.4] q selects the entities whose instances in the window satisfy it, though their current value does not', async () => {
    const week = `timerel=between&timeAt=${day(1)}&endTimeAt=${day(8)}`;
    assert.deepEqual((await ids(`type=Vehicle&q=speed>25&${week}`)).ids, [CAR]);
    assert.deepEqual((await ids(`type=Vehicle&q=speed>25&timerel=after&timeAt=${day(5)}`)).ids, [], 'no fast instance after day 5');
    assert.deepEqual((await ids(`type=Vehicle&q=speed>25|speed==20&${week}&count=true`)).count, '2');
    assert.deepEqual((await ids(`type=Vehicle&q=speed==0&${week}`)).ids, [], 'the current value lies outside the window');
    assert.deepEqual((await ids(`q=speed>15;speed<25&${week}`)).ids, [BUS]);
  });

  test('[5.7.4] a geo-query selects the entities whose GeoProperty was there inside the window', async () => {
    const near = 'georel=near;maxDistance==500&geometry=Point&coordinates=[7.22,51.48]';
    assert.deepEqual((await ids(`type=Vehicle&${near}&timerel=between&timeAt=${day(2)}&endTimeAt=${day(4)}`)).ids, [CAR]);
    assert.deepEqual((await ids(`type=Vehicle&${near}&timerel=after&timeAt=${day(5)}`)).ids, []);
  });

  test('[5.7.4, 6.3.10] paging applies to the entities that match in the window', async () => {
    const week = `timerel=between&timeAt=${day(0)}&endTimeAt=${day(8)}`;
    const all = await ids(`type=Vehicle&q=speed>=10&${week}&count=true&limit=1`);
    assert.equal(all.count, '2');
    assert.equal(all.ids.length, 1);
    const second = await ids(`type=Vehicle&q=speed>=10&${week}&limit=1&offset=1`);
    assert.equal(second.ids.length, 1);
    assert.notDeepEqual(second.ids, all.ids);
  });
});
