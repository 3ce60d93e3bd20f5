// HTTP-level tests of queryEntities (clause 6.4.3.2): type expressions, q, scopeQ, geo-queries,
// pagination and counting, against a real SQLite file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp, JSON_HEADERS } from '../support/app.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';

// A small city: 12 sensors on a line of longitude steps of ~0.01 degrees (~690 m at Herne's latitude).
function city() {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < 12; i++) {
    out.push({
      id: `urn:ngsi-ld:Sensor:${String(i).padStart(2, '0')}`,
      type: i % 3 === 0 ? ['Sensor', 'Device'] : 'Sensor',
      temperature: { type: 'Property', value: 10 + i, observedAt: `2026-11-${String(10 + i).padStart(2, '0')}T08:00:00Z` },
      status: { type: 'Property', value: i % 2 ? 'ok' : 'broken' },
      tags: { type: 'Property', value: i % 4 === 0 ? ['solar', 'bench'] : ['air'] },
      address: { type: 'Property', value: { city: 'Herne', district: i < 6 ? 'Wanne' : 'Mitte' } },
      operator: { type: 'Relationship', object: i < 6 ? 'urn:ngsi-ld:Org:stadtwerke' : 'urn:ngsi-ld:Org:city' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.2 + i * 0.01, 51.53] } },
      ...(i < 4 ? { scope: i < 2 ? '/Herne/Wanne' : '/Herne/Mitte/Bahnhof' } : {}),
    });
  }
  return out;
}

for (const [label, env] of [['', {}], [' (with value indexes)', { DREHSCHEIBE_INDEXED_ATTRIBUTES: 'status,tags,operator,temperature' }]] as const) {
describe('query entities' + label, () => {
  let t: TestApp;
  const ids = async (url: string, headers: Record<string, string> = {}) => {
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?' + url, headers });
    assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    return (r.json() as Array<{ id: string }>).map((e) => e.id.slice(-2)).sort();
  };
  before(async () => {
    t = await testApp(env);
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/create', headers: JSON_HEADERS, payload: city() });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await t.close(); });

  test('[4.17] type selects; , and | are or; ; is and', async () => {
    assert.equal((await ids('type=Sensor&limit=100')).length, 12);
    assert.deepEqual(await ids('type=Device'), ['00', '03', '06', '09']);
    assert.deepEqual(await ids('type=Device;Sensor'), ['00', '03', '06', '09']);
    assert.equal((await ids('type=Device,Sensor&limit=100')).length, 12);
    assert.equal((await ids('type=(Device|Nothing)')).length, 4);
  });

  test('[4.9] q comparisons on numbers', async () => {
    assert.deepEqual(await ids('type=Sensor&q=temperature>19'), ['10', '11']);
    assert.deepEqual(await ids('type=Sensor&q=temperature>=20'), ['10', '11']);
    assert.deepEqual(await ids('type=Sensor&q=temperature<11'), ['00']);
    assert.deepEqual(await ids('type=Sensor&q=temperature==12'), ['02']);
    assert.equal((await ids('type=Sensor&q=temperature!=12&limit=100')).length, 11);
  });

  test('[4.9] ranges and value lists', async () => {
    assert.deepEqual(await ids('type=Sensor&q=temperature==12..14'), ['02', '03', '04']);
    assert.deepEqual(await ids('type=Sensor&q=temperature==10,21'), ['00', '11']);
  });

  test('[4.9] ; binds tighter than | and parentheses group', async () => {
    assert.deepEqual(await ids('type=Sensor&q=temperature<11|temperature>20;status=="ok"'), ['00', '11']);
    assert.deepEqual(await ids('type=Sensor&q=(temperature<11|temperature>20);status=="ok"'), ['11']);
  });

  test('[4.9] strings, regex ~= and !~=', async () => {
    assert.equal((await ids('type=Sensor&q=status=="broken"&limit=100')).length, 6);
    assert.deepEqual(await ids(`type=Sensor&q=${encodeURIComponent('status~=^bro')}&limit=3`), ['00', '02', '04']);
    assert.equal((await ids(`type=Sensor&q=${encodeURIComponent('status!~=bro')}&limit=100`)).length, 6);
    assert.deepEqual(await ids(`type=Sensor&q=${encodeURIComponent('status~=(?i)BROK')}&limit=2`), ['00', '02']);
  });

  test('[4.9] arrays match when any element matches', async () => {
    assert.deepEqual(await ids('type=Sensor&q=tags=="solar"'), ['00', '04', '08']);
  });

  test('[4.9] compound values with [ ] and relationships', async () => {
    assert.equal((await ids('type=Sensor&q=address[district]=="Mitte"&limit=100')).length, 6);
    assert.deepEqual(await ids('type=Sensor&q=operator=="urn:ngsi-ld:Org:city"&limit=3'), ['06', '07', '08']);
    assert.deepEqual(await ids('type=Sensor&q=operator==urn:ngsi-ld:Org:city&limit=3'), ['06', '07', '08']);
  });

  test('[4.9] sub-attribute paths like temperature.observedAt compare DateTimes', async () => {
    assert.deepEqual(await ids('type=Sensor&q=temperature.observedAt>=2026-11-20T08:00:00Z'), ['10', '11']);
  });

  test('[4.9] an attribute name alone tests existence', async () => {
    assert.equal((await ids('type=Sensor&q=address&limit=100')).length, 12);
    assert.deepEqual(await ids('type=Sensor&q=nothing'), []);
  });

  test('[4.9] comparing across types never matches', async () => {
    assert.deepEqual(await ids('type=Sensor&q=status>5'), []);
    assert.deepEqual(await ids('type=Sensor&q=temperature>"a"'), []);
  });

  test('[4.19] scopeQ selects by scope with # and +', async () => {
    assert.deepEqual(await ids('scopeQ=/Herne/Wanne'), ['00', '01']);
    assert.deepEqual(await ids('scopeQ=/Herne/%23'), ['00', '01', '02', '03']);
    assert.deepEqual(await ids('scopeQ=/Herne/%2B/Bahnhof'), ['02', '03']);
  });

  test('[6.4.3.2] id, idPattern and attrs', async () => {
    assert.deepEqual(await ids('id=urn:ngsi-ld:Sensor:01,urn:ngsi-ld:Sensor:05'), ['01', '05']);
    assert.deepEqual(await ids('idPattern=.*:0[12]$'), ['01', '02']);
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Sensor&attrs=status&limit=1' });
    // Entity 00 has a scope: scope is entity metadata and stays; other attributes go.
    assert.deepEqual(Object.keys(r.json()[0]).sort(), ['id', 'scope', 'status', 'type']);
  });

  test('[5.5.9] limit, offset and count page through results', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Sensor&limit=5&offset=10&count=true' });
    assert.equal(r.headers['ngsild-results-count'], '12');
    assert.equal(r.json().length, 2);
    const c = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Sensor&limit=0&count=true' });
    assert.equal(c.headers['ngsild-results-count'], '12');
    assert.deepEqual(c.json(), []);
  });

  test('[6.4.3.2] too large a limit gives 403 TooManyResults', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Sensor&limit=100000' });
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().type, ETSI + 'TooManyResults');
  });

  test('[4.10] near;maxDistance finds points within the radius', async () => {
    // Sensor 00 is at 7.20; 01 at 7.21 (~693 m east); 02 at 7.22 (~1386 m).
    assert.deepEqual(await ids('georel=near;maxDistance==800&geometry=Point&coordinates=[7.2,51.53]'), ['00', '01']);
    assert.deepEqual(await ids('type=Sensor&georel=near;minDistance==8000&geometry=Point&coordinates=[7.2,51.53]'), []);
    assert.equal((await ids('type=Sensor&georel=near;minDistance==7000&geometry=Point&coordinates=[7.2,51.53]')).length, 1);
  });

  test('[4.10] within, intersects, disjoint with polygons', async () => {
    const poly = encodeURIComponent(JSON.stringify([[[7.195, 51.52], [7.235, 51.52], [7.235, 51.54], [7.195, 51.54], [7.195, 51.52]]]));
    assert.deepEqual(await ids(`georel=within&geometry=Polygon&coordinates=${poly}`), ['00', '01', '02', '03']);
    assert.deepEqual(await ids(`georel=intersects&geometry=Polygon&coordinates=${poly}`), ['00', '01', '02', '03']);
    assert.equal((await ids(`type=Sensor&georel=disjoint&geometry=Polygon&coordinates=${poly}&limit=100`)).length, 8);
  });

  test('[4.10] geo-queries combine with type and q', async () => {
    const poly = encodeURIComponent(JSON.stringify([[[7.195, 51.52], [7.235, 51.52], [7.235, 51.54], [7.195, 51.54], [7.195, 51.52]]]));
    assert.deepEqual(await ids(`type=Device&q=temperature>10&georel=within&geometry=Polygon&coordinates=${poly}`), ['03']);
  });

  test('[6.4.3.2] application/geo+json returns a FeatureCollection', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Device&limit=1', headers: { accept: 'application/geo+json' } });
    assert.equal(r.statusCode, 200);
    const fc = r.json();
    assert.equal(fc.type, 'FeatureCollection');
    assert.deepEqual(fc.features[0].geometry, { type: 'Point', coordinates: [7.2, 51.53] });
  });

  test('[5.5.2] query errors are ProblemDetails with positions', async () => {
    const cases: Array<[string, number, string]> = [
      ['type=Sensor&q=temperature=20', 400, 'InvalidRequest'],
      ['type=Sensor&q=' + encodeURIComponent('name~=(a)\\1'), 400, 'BadRequestData'], // backreference: not in the RE2 syntax
      ['type=Sensor&georel=near&geometry=Point&coordinates=[7,51]', 400, 'BadRequestData'],
      ['type=Sensor&georel=within&geometry=Polygon&coordinates=[[[7,51],[8,51],[8,52]]]', 400, 'BadRequestData'],
      ['type=Sensor&georel=within&geometry=Polygon', 400, 'BadRequestData'],
      ['type=Sensor&georel=around&geometry=Point&coordinates=[7,51]', 400, 'BadRequestData'],
      ['type=Sensor&coordinates=notjson&georel=near;maxDistance==1&geometry=Point', 400, 'BadRequestData'],
      ['', 400, 'BadRequestData'],
      ['type=Sensor&limit=abc', 400, 'BadRequestData'],
      ['type=Sensor&options=fancy', 400, 'BadRequestData'],
    ];
    for (const [qs, status, type] of cases) {
      const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?' + qs });
      assert.equal(r.statusCode, status, `${qs}: ${r.body}`);
      assert.equal(r.json().type, ETSI + type, qs);
      assert.ok(r.json().detail.length > 10, qs);
    }
  });

  test('[6.23.3.1] POST entityOperations/query takes a Query object', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/query?limit=100&count=true', headers: JSON_HEADERS, payload: {
      type: 'Query', entities: [{ type: 'Device' }], q: 'temperature>10',
      geoQ: { georel: 'near;maxDistance==100000', geometry: 'Point', coordinates: [7.2, 51.53] },
    } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().map((e: { id: string }) => e.id.slice(-2)).sort(), ['03', '06', '09']);
    assert.equal(r.headers['ngsild-results-count'], '3');
  });

  test('[6.25] /types and /attributes describe what is stored', async () => {
    const types = (await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types' })).json();
    assert.equal(types.type, 'EntityTypeList');
    assert.deepEqual(types.typeList.sort(), ['Device', 'Sensor']);
    const info = (await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types/Device' })).json();
    assert.equal(info.entityCount, 4);
    assert.ok(info.attributeDetails.some((a: { attributeName: string; attributeTypes: string[] }) => a.attributeName === 'location' && a.attributeTypes[0] === 'GeoProperty'));
    const details = (await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types?details=true' })).json();
    assert.ok(details.find((d: { typeName: string }) => d.typeName === 'Sensor').attributeNames.includes('temperature'));
    const attrs = (await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/attributes' })).json();
    assert.ok(attrs.attributeList.includes('operator'));
    const a = (await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/attributes/operator' })).json();
    assert.equal(a.attributeCount, 12);
    assert.deepEqual(a.attributeTypes, ['Relationship']);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types/Nope' })).statusCode, 404);
  });
});

}

describe('parameters not offered', () => {
  test('[4.3] entityMap and csf give 422 OperationNotSupported instead of being ignored (join: conformance-join.test.ts)', async () => {
    const t = await testApp();
    try {
      for (const p of ['entityMap=true', 'csf=x']) {
        const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?type=T&${p}` });
        assert.equal(r.statusCode, 422, p);
        assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/OperationNotSupported');
      }
    } finally {
      await t.close();
    }
  });
});

describe('q over other attribute types', () => {
  test('[4.9, 4.5.18] LanguageProperty by language and any language; VocabProperty; ListProperty', async () => {
    // With value indexes on these attributes, equality must find the same entities (the index holds
    // values and objects; languageMap, vocab and valueList instances are candidates of their own).
    const variants: Array<Record<string, string>> = [{}, { DREHSCHEIBE_INDEXED_ATTRIBUTES: 'title,category,stops' }];
    for (const env of variants) {
      const t = await testApp(env);
      try {
        const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/create', headers: JSON_HEADERS, payload: [
          { id: 'urn:p:1', type: 'Place', title: { type: 'LanguageProperty', languageMap: { de: 'Rathaus', en: 'Town hall' } }, category: { type: 'VocabProperty', vocab: 'civic' }, stops: { type: 'ListProperty', valueList: ['Wanne', 'Mitte'] } },
          { id: 'urn:p:2', type: 'Place', title: { type: 'LanguageProperty', languageMap: { de: 'Bahnhof', en: 'Station' } }, category: { type: 'VocabProperty', vocab: 'transport' }, stops: { type: 'ListProperty', valueList: ['Mitte'] } },
        ] });
        assert.equal(r.statusCode, 201, r.body);
        const ids = async (q: string) => (await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?type=Place&q=${encodeURIComponent(q)}` })).json().map((e: { id: string }) => e.id).sort();
        assert.deepEqual(await ids('title[de]=="Rathaus"'), ['urn:p:1'], JSON.stringify(env));
        assert.deepEqual(await ids('title[en]=="Rathaus"'), []);
        assert.deepEqual(await ids('title=="Station"'), ['urn:p:2']);
        assert.deepEqual(await ids('title~=(?i)^bahn'), ['urn:p:2']);
        assert.deepEqual(await ids('category=="https://uri.etsi.org/ngsi-ld/default-context/transport"'), ['urn:p:2']);
        assert.deepEqual(await ids('stops=="Wanne"'), ['urn:p:1']);
        assert.deepEqual(await ids('stops=="Mitte"'), ['urn:p:1', 'urn:p:2']);
      } finally {
        await t.close();
      }
    }
  });
});
