// HTTP tests of the aggregated temporal representation (clause 4.5.19, 6.18.3.2 aggrMethods,
// aggrPeriodDuration): results checked against values computed independently here.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, JSON_HEADERS, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';

const E = 'urn:ngsi-ld:WeatherObserved:w1';
const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
/** 3 days of 10-minute values plus a February value, deterministic but irregular. */
const POINTS = Array.from({ length: 432 }, (_, i) => ({ t: BASE + i * 600_000, v: Math.round((Math.sin(i / 7) * 10 + (i % 5)) * 100) / 100 }));
POINTS.push({ t: Date.parse('2026-02-10T00:00:00Z'), v: 42 });

function expected(lo: number, hi: number) {
  const xs = POINTS.filter((p) => p.t >= lo && p.t < hi).map((p) => p.v);
  const n = xs.length;
  const sum = xs.reduce((a, b) => a + b, 0);
  const avg = sum / n;
  const vs = xs.reduce((a, b) => a + (b - avg) ** 2, 0);
  return { n, sum, avg, min: Math.min(...xs), max: Math.max(...xs), sumsq: xs.reduce((a, b) => a + b * b, 0), varianceSum: vs, stddev: n > 1 ? Math.sqrt(vs / (n - 1)) : 0, distinct: new Set(xs).size };
}
const close = (a: number, b: number, msg: string) => assert.ok(Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(b)), `${msg}: ${a} ≠ ${b}`);

describe('aggregated temporal representation', () => {
  let t: TestApp;
  const get = async (qs: string) => {
    const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${E}?${qs}` });
    return { status: r.statusCode, body: r.json() };
  };

  before(async () => {
    t = await testApp({ DREHSCHEIBE_TEMPORAL_MAX_PERIODS: '1000' }, { clock: fixedClock('2026-03-01T00:00:00Z') });
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities', headers: JSON_HEADERS, payload: {
      id: E, type: 'WeatherObserved',
      temperature: POINTS.map((p) => ({ type: 'Property', value: p.v, observedAt: iso(p.t), unitCode: 'CEL' })),
      weather: [{ type: 'Property', value: 'sunny', observedAt: iso(BASE) }, { type: 'Property', value: 'rain', observedAt: iso(BASE + 3600_000) }, { type: 'Property', value: 'rain', observedAt: iso(BASE + 7200_000) }],
    } });
    assert.equal(r.statusCode, 201);
  });
  after(async () => { await t.close(); });

  test('[4.5.19] P1D periods from timeAt: every method matches an independent computation', async () => {
    const end = BASE + 3 * 86400_000;
    const r = await get(`attrs=temperature&options=aggregatedValues&aggrMethods=totalCount,distinctCount,sum,avg,min,max,varianceSum,stddev,sumsq&aggrPeriodDuration=P1D&timerel=between&timeAt=${iso(BASE)}&endTimeAt=${iso(end)}`);
    assert.equal(r.status, 200);
    const a = r.body.temperature;
    assert.equal(a.type, 'Property');
    assert.equal(a.avg.length, 3);
    for (let d = 0; d < 3; d++) {
      const lo = BASE + d * 86400_000;
      const x = expected(lo, lo + 86400_000);
      assert.deepEqual(a.avg[d].slice(1), [iso(lo), iso(lo + 86400_000)]);
      assert.equal(a.totalCount[d][0], x.n);
      assert.equal(a.distinctCount[d][0], x.distinct);
      close(a.sum[d][0], x.sum, 'sum');
      close(a.avg[d][0], x.avg, 'avg');
      assert.equal(a.min[d][0], x.min);
      assert.equal(a.max[d][0], x.max);
      close(a.sumsq[d][0], x.sumsq, 'sumsq');
      close(a.varianceSum[d][0], x.varianceSum, 'varianceSum');
      close(a.stddev[d][0], x.stddev, 'stddev');
    }
  });

  test('[4.5.19] PT1H periods: 72 hourly averages', async () => {
    const r = await get(`attrs=temperature&options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=PT1H&timerel=between&timeAt=${iso(BASE)}&endTimeAt=${iso(BASE + 3 * 86400_000)}`);
    assert.equal(r.body.temperature.avg.length, 72);
    const x = expected(BASE + 5 * 3600_000, BASE + 6 * 3600_000);
    close(r.body.temperature.avg[5][0], x.avg, 'hour 5');
  });

  test('[4.5.19] P1M periods follow the calendar; empty periods are left out', async () => {
    const r = await get(`attrs=temperature&options=aggregatedValues&aggrMethods=totalCount,max&aggrPeriodDuration=P1M&timerel=after&timeAt=2025-12-31T23:59:59.999Z`);
    const tc = r.body.temperature.totalCount;
    assert.deepEqual(tc.map((x: unknown[]) => x[0]), [432, 1]);
    assert.deepEqual(tc[1].slice(1), ['2026-01-31T23:59:59.999Z', '2026-02-28T23:59:59.999Z']);
    assert.equal(r.body.temperature.max[1][0], 42);
  });

  test('[4.5.19] without aggrPeriodDuration (or P0D) the whole range is one period', async () => {
    for (const p of ['', '&aggrPeriodDuration=P0D']) {
      const r = await get(`attrs=temperature&options=aggregatedValues&aggrMethods=totalCount,avg${p}`);
      assert.equal(r.body.temperature.totalCount.length, 1);
      assert.equal(r.body.temperature.totalCount[0][0], POINTS.length);
      close(r.body.temperature.avg[0][0], expected(0, Infinity).avg, 'avg');
    }
  });

  test('[4.5.19] strings count and compare; numeric methods give null', async () => {
    const r = await get(`attrs=weather&options=aggregatedValues&aggrMethods=totalCount,distinctCount,min,max,avg&aggrPeriodDuration=P1D&timerel=between&timeAt=${iso(BASE)}&endTimeAt=${iso(BASE + 86400_000)}`);
    const w = r.body.weather;
    assert.deepEqual([w.totalCount[0][0], w.distinctCount[0][0], w.min[0][0], w.max[0][0], w.avg[0][0]], [3, 2, 'rain', 'sunny', null]);
  });

  test('[4.5.19] lastN keeps the newest N periods', async () => {
    const r = await get(`attrs=temperature&options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=P1D&timerel=between&timeAt=${iso(BASE)}&endTimeAt=${iso(BASE + 3 * 86400_000)}&lastN=2`);
    assert.deepEqual(r.body.temperature.avg.map((x: unknown[]) => x[1]), [iso(BASE + 86400_000), iso(BASE + 2 * 86400_000)]);
  });

  test('[6.3.x] a period so fine that the response would explode is TooManyResults, naming a period that fits', async () => {
    const r = await get(`attrs=temperature&options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=PT1S&timerel=between&timeAt=${iso(BASE)}&endTimeAt=${iso(BASE + 3 * 86400_000)}`);
    assert.equal(r.status, 403);
    assert.equal(r.body.type, 'https://uri.etsi.org/ngsi-ld/errors/TooManyResults');
    assert.match(r.body.detail, /at least PT1H/);
  });
});
