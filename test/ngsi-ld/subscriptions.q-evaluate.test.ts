// The in-process q evaluator of subscriptions against the SQLite query compiler as oracle: every q must
// select the same entities in both (clause 4.9 semantics: typed comparisons, arrays, ranges, lists, regex, paths).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import type { AttrInstance, EntityRecord } from '../../src/storage/port.ts';
import { parseQ } from '../../src/ngsi-ld/query/q.parser.ts';
import { expandQ } from '../../src/ngsi-ld/entities/entities.query.ts';
import type { Terms } from '../../src/ngsi-ld/context/term-map.ts';
import { evaluateQ } from '../../src/ngsi-ld/subscriptions/q.evaluate.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const T0 = '2026-11-26T10:00:00.000Z';
const terms: Terms = {
  key: 'test', source: undefined, linkUrl: '',
  expandAttr: (t) => (t.includes(':') ? t : V + t), compactAttr: (i) => i.replace(V, ''),
  expandType: (t) => V + t, compactType: (i) => i.replace(V, ''),
};

const P = (value: unknown, extra: Record<string, unknown> = {}): AttrInstance[] => [{ type: 'Property', value, createdAt: T0, modifiedAt: T0, ...extra }];

function entity(n: number, attrs: Record<string, AttrInstance[]>): EntityRecord {
  const out: EntityRecord = { id: `urn:ngsi-ld:T:${n}`, types: [V + 'T'], createdAt: T0, modifiedAt: T0, attrs: {} };
  for (const [k, v] of Object.entries(attrs)) out.attrs[V + k] = v;
  return out;
}

const ENTITIES: EntityRecord[] = [
  entity(1, { temperature: P(21.5, { observedAt: '2026-11-26T09:00:00.000Z', unitCode: 'CEL' }), status: P('ok'), flag: P(true) }),
  entity(2, { temperature: P(30), status: P('maintenance'), flag: P(false), tags: P(['red', 'green']) }),
  entity(3, { temperature: P('hot'), readings: P([10, 20, 35]), address: P({ city: 'Herne', district: { name: 'Wanne' } }) }),
  entity(4, {
    name: [{ type: 'LanguageProperty', languageMap: { de: 'Rathaus', en: 'Town hall' }, createdAt: T0, modifiedAt: T0 }],
    refDevice: [{ type: 'Relationship', object: 'urn:ngsi-ld:Device:1', createdAt: T0, modifiedAt: T0 }],
    list: [{ type: 'ListProperty', valueList: [1, 2, 3], createdAt: T0, modifiedAt: T0 }],
  }),
  entity(5, {
    temperature: [{ type: 'Property', value: 12, createdAt: T0, modifiedAt: T0, [V + 'accuracy']: { type: 'Property', value: 0.5, createdAt: T0, modifiedAt: T0 } }],
    when: P('2026-01-01T10:00:00.000Z'), count: P(1),
  }),
  entity(6, { status: P('degraded'), temperature: P(null) }),
];

const QUERIES = [
  'temperature', 'temperature>25', 'temperature<=21.5', 'temperature==30', 'temperature!=30', 'temperature==20..31',
  'temperature!=20..31', 'temperature=="hot"', 'temperature==21.5,30', 'temperature!=21.5,30', 'status=="ok"',
  'status~=main', 'status~=(?i)OK', 'status!~=ok', 'flag==true', 'flag==false', 'flag!=true', 'tags=="red"', 'tags!="red"',
  'readings>30', 'readings==20', 'readings==11..19', 'address[city]=="Herne"', 'address[district.name]=="Wanne"',
  'address[city]', 'address=="Herne"', 'name[de]=="Rathaus"', 'name=="Town hall"', 'name[fr]', 'refDevice=="urn:ngsi-ld:Device:1"',
  'list==2', 'temperature.observedAt>=2026-11-26T08:00:00Z', 'temperature.unitCode=="CEL"', 'temperature.accuracy<1',
  'temperature.accuracy', 'when>2025-12-31T00:00:00Z', 'status=="ok"|temperature>29', 'status;temperature>10',
  '(status=="ok"|status=="maintenance");flag==false', 'count==1', 'status~=^d', 'nothing', 'nothing!=1', 'list>2', 'refDevice~=Device', 'address[city]!="Bochum"',
  'temperature.accuracy!=0.5', 'name[de]', 'name~=hall', 'readings!=20', 'status!~=^m', 'temperature.observedAt!=2026-11-26T09:00:00Z', 'flag',
];

describe('subscriptions: q evaluated in process', () => {
  let dir: string;
  let s: SqliteStorage;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-qeval-'));
    s = SqliteStorage.inDataDir(dir);
    await s.withTransaction(async (tx) => { for (const e of ENTITIES) await tx.entities.insert('', e); });
  });
  after(async () => { await s.close(); rmSync(dir, { recursive: true, force: true }); });

  for (const text of QUERIES) {
    test(`[4.9] q=${text} selects the same entities as the SQLite compiler`, async () => {
      const q = expandQ(parseQ(text), terms);
      const expected = (await s.entities.query('', { q }, { limit: 100, offset: 0, count: false })).entities.map((e) => e.id);
      const actual = ENTITIES.filter((e) => evaluateQ(q, e)).map((e) => e.id);
      assert.deepEqual(actual, expected);
    });
  }
});
