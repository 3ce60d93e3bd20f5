// Bad temporal queries get the right ProblemDetails (clause 5.5.2, 6.18.3.2): invalid or missing
// timerel/timeAt/endTimeAt combinations, unknown aggregation methods, invalid durations, options.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, JSON_HEADERS, type TestApp } from '../support/app.ts';

const E = 'urn:ngsi-ld:Sensor:err';
const BAD = 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData';

describe('temporal query errors', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: { id: E, type: 'Sensor', v: 1 } });
  });
  after(async () => { await t.close(); });

  const cases: Array<[string, string, RegExp]> = [
    ['timerel=before', 'timerel without timeAt', /needs timeAt/],
    ['timeAt=2026-01-01T00:00:00Z', 'timeAt without timerel', /needs timerel/],
    ['endTimeAt=2026-01-01T00:00:00Z', 'endTimeAt without timerel', /needs timerel/],
    ['timerel=during&timeAt=2026-01-01T00:00:00Z', 'an unknown timerel', /before, after or between/],
    ['timerel=between&timeAt=2026-01-01T00:00:00Z', 'between without endTimeAt', /needs endTimeAt/],
    ['timerel=between&timeAt=2026-01-02T00:00:00Z&endTimeAt=2026-01-01T00:00:00Z', 'endTimeAt before timeAt', /later than timeAt/],
    ['timerel=after&timeAt=2026-01-01T00:00:00Z&endTimeAt=2026-01-02T00:00:00Z', 'endTimeAt with after', /only allowed with timerel=between/],
    ['timerel=after&timeAt=yesterday', 'a timeAt that is no DateTime', /DateTime/],
    ['timeproperty=updatedAt', 'an unknown timeproperty', /timeproperty/],
    ['lastN=0', 'lastN=0', /positive integer/],
    ['lastN=-3', 'a negative lastN', /positive integer/],
    ['options=aggregatedValues', 'aggregatedValues without aggrMethods', /needs aggrMethods/],
    ['options=aggregatedValues&aggrMethods=median', 'an unknown aggregation method', /Unknown aggregation method "median"/],
    ['options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=1H', 'a duration that is not ISO 8601', /ISO 8601 duration/],
    ['options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=PT', 'an empty time part', /ISO 8601 duration/],
    ['aggrMethods=avg', 'aggrMethods without aggregatedValues', /need options=aggregatedValues/],
    ['options=temporalValues,aggregatedValues&aggrMethods=avg', 'two representations', /exclude each other/],
    ['options=concise', 'an unknown option', /Unknown option/],
  ];
  for (const [qs, what, detail] of cases) {
    test(`[6.18.3.2] ${what} is BadRequestData`, async () => {
      const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${E}?${qs}` });
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().type, BAD);
      assert.match(r.json().detail, detail);
    });
  }

  test('[5.5.2, 6.18.3.2] an unknown parameter is InvalidRequest', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${E}?foo=1` });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/InvalidRequest');
    assert.match(r.json().detail, /Unknown query parameter/);
  });

  test('[6.18.3.2] a query without any restriction is BadRequestData', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/temporal/entities?lastN=1' });
    assert.equal(r.statusCode, 400);
  });

  test('[5.5.2, 6.3.10] a malformed Range header is InvalidRequest', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${E}`, headers: { range: 'bytes=0-100' } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/InvalidRequest');
  });

  test('[6.3.x] too many aggregation periods over many entities is TooComplexQuery', async () => {
    const small = await testApp({ DREHSCHEIBE_TEMPORAL_MAX_PERIODS: '2' });
    try {
      const body = Array.from({ length: 25 }, (_, i) => ({ id: `urn:ngsi-ld:S:${i}`, type: 'S', v: { type: 'Property', value: i, observedAt: '2026-01-01T00:00:00Z' } }));
      await small.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/create', headers: JSON_HEADERS, payload: body });
      await small.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/upsert?options=update', headers: JSON_HEADERS, payload: body.map((b) => ({ ...b, v: { ...b.v, observedAt: '2026-01-01T01:00:00Z' } })) });
      const r = await small.app.inject({ method: 'GET', url: '/ngsi-ld/v1/temporal/entities?type=S&limit=100&options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=PT1H&timerel=between&timeAt=2026-01-01T00:00:00Z&endTimeAt=2026-01-01T02:00:00Z' });
      assert.equal(r.statusCode, 403);
      assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/TooComplexQuery');
    } finally {
      await small.close();
    }
  });
});
