// The strategy-store contract: one suite every adapter must pass unchanged (SQLite, PostgreSQL).
// Register it with a factory that opens a fresh, empty store.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { StorageConflict, StorageNotFound } from '../core/errors.ts';
import type { Project } from './strategy.model.ts';
import type { StrategyStore } from './strategy.port.ts';
import type { Kpi } from './kpi.model.ts';

export interface StrategyStoreFactory {
  open(): Promise<StrategyStore>;
  destroy(s: StrategyStore): Promise<void>;
}

export function project(slug: string, extra: Partial<Project> = {}): Project {
  return {
    slug, fieldId: 'energie', title: { de: `Projekt ${slug}`, en: `Project ${slug}` }, summary: { de: 'Kurz', en: 'Short' },
    description: { de: 'Lang', en: 'Long' }, status: 'idea', entityTypes: [], datasets: [],
    createdAt: '2026-12-01T10:00:00.000Z', modifiedAt: '2026-12-01T10:00:00.000Z', ...extra,
  };
}

export function kpi(id: string, extra: Partial<Kpi> = {}): Kpi {
  return {
    id, name: { de: `Kennzahl ${id}`, en: `KPI ${id}` }, description: { de: '', en: '' }, unit: '', published: false,
    selection: { tenant: 'herne', type: 'AccessPoint', q: 'apState=="up"' }, value: {}, reduction: { kind: 'count' },
    createdAt: '2026-12-01T10:00:00.000Z', modifiedAt: '2026-12-01T10:00:00.000Z', ...extra,
  };
}

export function strategyStoreContract(name: string, factory: StrategyStoreFactory): void {
  describe(`strategy store contract: ${name}`, () => {
    let s: StrategyStore;
    before(async () => { s = await factory.open(); });
    after(async () => { await factory.destroy(s); });

    test('fields of action are listed by position and replaced by id', async () => {
      await s.putField({ id: 'mobil', title: { de: 'Mobilität', en: 'Mobility' }, goals: [], position: 2 });
      await s.putField({ id: 'energie', title: { de: 'Energie', en: 'Energy' }, goals: [{ de: 'Ziel', en: 'Goal' }], position: 1 });
      await s.putField({ id: 'mobil', title: { de: 'Mobilität', en: 'Mobility' }, goals: [], position: 3 });
      const fields = await s.listFields();
      assert.deepEqual(fields.map((f) => [f.id, f.position]), [['energie', 1], ['mobil', 3]]);
      assert.deepEqual(fields[0]!.goals, [{ de: 'Ziel', en: 'Goal' }]);
    });

    test('organisations are stored with every field and replaced by id', async () => {
      await s.putOrganisation({ id: 'stadt', name: 'Stadt', kind: 'city administration' });
      await s.putOrganisation({ id: 'stadt', name: 'Stadt Herne', url: 'https://www.herne.de' });
      assert.deepEqual(await s.listOrganisations(), [{ id: 'stadt', name: 'Stadt Herne', url: 'https://www.herne.de' }]);
    });

    test('a created project is read back whole, including its GeoJSON location', async () => {
      const p = project('solar', { status: 'in_progress', organisationId: 'stadt', start: '2023-05', end: '2025-12-31', location: { type: 'Point', coordinates: [7.2196, 51.538] }, entityTypes: ['SolarEnergy'], datasets: ['ds-1'] });
      await s.createProject(p);
      assert.deepEqual(await s.getProject('solar'), p);
      assert.equal(await s.getProject('missing'), undefined);
    });

    test('a duplicate slug is a StorageConflict and leaves the first project as it was', async () => {
      await assert.rejects(s.createProject(project('solar', { title: { de: 'Anders', en: 'Other' } })), StorageConflict);
      assert.equal((await s.getProject('solar'))?.title.de, 'Projekt solar');
    });

    test('projects are listed by field position, then German title, and filtered by field', async () => {
      await s.createProject(project('bus', { fieldId: 'mobil', title: { de: 'Alpha Bus', en: 'Bus' } }));
      await s.createProject(project('akku', { title: { de: 'Akkus', en: 'Batteries' } }));
      await s.createProject(project('waise', { fieldId: 'unbekannt', title: { de: 'Aaa', en: 'Aaa' } }));
      assert.deepEqual((await s.listProjects()).map((p) => p.slug), ['akku', 'solar', 'bus', 'waise']);
      assert.deepEqual((await s.listProjects({ fieldId: 'mobil' })).map((p) => p.slug), ['bus']);
      assert.deepEqual(await s.listProjects({ fieldId: 'nichts' }), []);
    });

    test('an update replaces the project and moves it to its new field; a missing slug is StorageNotFound', async () => {
      const p = project('akku', { fieldId: 'mobil', title: { de: 'Batterien', en: 'Batteries' }, status: 'done', modifiedAt: '2026-12-02T10:00:00.000Z', location: { type: 'Polygon', coordinates: [[[7.2, 51.5], [7.3, 51.5], [7.3, 51.6], [7.2, 51.5]]] } });
      await s.updateProject(p);
      assert.deepEqual(await s.getProject('akku'), p);
      assert.deepEqual((await s.listProjects({ fieldId: 'mobil' })).map((x) => x.slug), ['bus', 'akku']);
      await assert.rejects(s.updateProject(project('gibtsnicht')), StorageNotFound);
      assert.equal(await s.getProject('gibtsnicht'), undefined);
    });

    test('delete removes a project once', async () => {
      assert.equal(await s.deleteProject('waise'), true);
      assert.equal(await s.deleteProject('waise'), false);
      assert.equal(await s.getProject('waise'), undefined);
    });

    test('events are ordered by start (compared as instants across offsets) and past ones left out by from', async () => {
      await s.putEvent({ id: 'b', title: { de: 'B', en: 'B' }, start: '2026-12-10T18:00:00+01:00', place: 'Rathaus' });
      await s.putEvent({ id: 'a', title: { de: 'A', en: 'A' }, start: '2026-12-10T17:30:00Z', place: 'Rathaus' });
      await s.putEvent({ id: 'alt', title: { de: 'Alt', en: 'Old' }, start: '2022-12-01T16:00:00+01:00', place: 'Bürgersaal' });
      await s.putEvent({ id: 'lang', title: { de: 'Lang', en: 'Long' }, start: '2026-11-01T00:00:00Z', end: '2026-12-31T00:00:00Z', place: 'online', description: { de: 'D', en: 'E' } });
      assert.deepEqual((await s.listEvents()).map((e) => e.id), ['alt', 'lang', 'b', 'a']);
      assert.deepEqual((await s.listEvents({ from: '2026-12-05T00:00:00.000Z' })).map((e) => e.id), ['lang', 'b', 'a']);
      assert.equal((await s.listEvents()).find((e) => e.id === 'b')?.start, '2026-12-10T18:00:00+01:00');
    });

    test('feedback is kept as given and listed newest first', async () => {
      await s.addFeedback({ id: 'f1', at: '2026-12-01T10:00:00.000Z', lang: 'de', message: 'Kontrast zu schwach', email: 'a@example.org' });
      await s.addFeedback({ id: 'f2', at: '2026-12-02T10:00:00.000Z', lang: 'en', message: 'Map not usable', page: '/en/data/live', name: 'Kim' });
      assert.deepEqual(await s.listFeedback(10), [
        { id: 'f2', at: '2026-12-02T10:00:00.000Z', lang: 'en', message: 'Map not usable', page: '/en/data/live', name: 'Kim' },
        { id: 'f1', at: '2026-12-01T10:00:00.000Z', lang: 'de', message: 'Kontrast zu schwach', email: 'a@example.org' },
      ]);
      assert.equal((await s.listFeedback(1)).length, 1);
    });

    test('a created KPI is read back whole; a duplicate id is a StorageConflict', async () => {
      const k = kpi('energie', { project: 'solar', published: true, unit: 'kWh', selection: { tenant: 'herne', type: 'SolarEnergy', geo: { georel: 'near;maxDistance==500', geometry: 'Point', coordinates: '[7.2,51.5]' } },
        value: { attr: 'totalEnergyGenerated', aggregation: { method: 'sum', period: 'month' } }, reduction: { kind: 'sum' } });
      await s.createKpi(k);
      assert.deepEqual(await s.getKpi('energie'), k);
      assert.equal(await s.getKpi('fehlt'), undefined);
      await assert.rejects(s.createKpi(kpi('energie')), StorageConflict);
      assert.equal((await s.getKpi('energie'))?.unit, 'kWh');
    });

    test('KPIs are listed by id and filtered by project and published', async () => {
      await s.createKpi(kpi('wlan', { project: 'wlan' }));
      await s.createKpi(kpi('anteil', { project: 'solar', reduction: { kind: 'share', q: 'no2<40' } }));
      assert.deepEqual((await s.listKpis()).map((k) => k.id), ['anteil', 'energie', 'wlan']);
      assert.deepEqual((await s.listKpis({ project: 'solar' })).map((k) => k.id), ['anteil', 'energie']);
      assert.deepEqual((await s.listKpis({ published: true })).map((k) => k.id), ['energie']);
      assert.deepEqual((await s.listKpis({ project: 'solar', published: false })).map((k) => k.id), ['anteil']);
    });

    test('a KPI update replaces it (and its published flag); a missing id is StorageNotFound', async () => {
      const k = kpi('wlan', { project: 'solar', published: true, modifiedAt: '2026-12-02T10:00:00.000Z' });
      await s.updateKpi(k);
      assert.deepEqual(await s.getKpi('wlan'), k);
      assert.deepEqual((await s.listKpis({ published: true, project: 'solar' })).map((x) => x.id), ['energie', 'wlan']);
      await assert.rejects(s.updateKpi(kpi('gibtsnicht')), StorageNotFound);
    });

    test('KPI states are replaced by id, and deleting a KPI removes its state', async () => {
      await s.putKpiState({ id: 'wlan', status: 'ok', value: 7, at: '2026-12-02T10:00:00.000Z', entities: 8, attemptedAt: '2026-12-02T10:00:00.000Z' });
      await s.putKpiState({ id: 'wlan', status: 'unavailable', value: 7, at: '2026-12-02T10:00:00.000Z', entities: 8, attemptedAt: '2026-12-02T10:05:00.000Z', error: 'timeout' });
      await s.putKpiState({ id: 'anteil', status: 'ok', value: 50, at: '2026-12-02T10:00:00.000Z', entities: 2, attemptedAt: '2026-12-02T10:00:00.000Z' });
      assert.deepEqual(await s.getKpiState('wlan'), { id: 'wlan', status: 'unavailable', value: 7, at: '2026-12-02T10:00:00.000Z', entities: 8, attemptedAt: '2026-12-02T10:05:00.000Z', error: 'timeout' });
      assert.deepEqual((await s.listKpiStates()).map((x) => x.id), ['anteil', 'wlan']);
      assert.equal(await s.deleteKpi('wlan'), true);
      assert.equal(await s.deleteKpi('wlan'), false);
      assert.equal(await s.getKpi('wlan'), undefined);
      assert.equal(await s.getKpiState('wlan'), undefined);
      assert.equal(await s.getKpiState('fehlt'), undefined);
    });

    test('a KPI lease goes to one holder until it ends (the holder too waits for its end); a deleted KPI frees it', async () => {
      const t0 = Date.parse('2026-12-02T10:00:00Z');
      const min = 60_000;
      assert.equal(await s.claimKpiLease('anteil', 'a', t0, t0 + 5 * min), true);
      assert.equal(await s.claimKpiLease('anteil', 'b', t0 + min, t0 + 6 * min), false, 'a holds it');
      assert.equal(await s.claimKpiLease('energie', 'b', t0 + min, t0 + 6 * min), true, 'leases are per KPI');
      assert.equal(await s.claimKpiLease('anteil', 'a', t0 + 2 * min, t0 + 7 * min), false, 'not even the holder within its lease');
      assert.equal(await s.claimKpiLease('anteil', 'b', t0 + 5 * min, t0 + 10 * min), true, 'an ended lease is taken over');
      assert.equal(await s.claimKpiLease('anteil', 'b', t0 + 7 * min, t0 + 12 * min), false);
      assert.equal(await s.claimKpiLease('anteil', 'a', t0 + 8 * min, t0 + 13 * min), false);
      // Claims at the same moment: exactly one wins.
      const both = await Promise.all(['x', 'y', 'z'].map((h) => s.claimKpiLease('gleichzeitig', h, t0, t0 + min)));
      assert.equal(both.filter(Boolean).length, 1);
      await s.createKpi(kpi('frei'));
      assert.equal(await s.claimKpiLease('frei', 'a', t0, t0 + 5 * min), true);
      assert.equal(await s.deleteKpi('frei'), true);
      await s.createKpi(kpi('frei'));
      assert.equal(await s.claimKpiLease('frei', 'b', t0 + min, t0 + 5 * min), true, 'the lease went with the deleted KPI');
    });
  });
}
