// Unit tests of the NGSIv2 simple query language → NGSI-LD query tree translation, and of the tree → NGSI-LD q text
// that v2 subscriptions store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseV2Q } from './v2.q.ts';
import { qToLd } from './subscriptions.mapping.ts';
import { V2Error } from './v2.errors.ts';

const p = (a: string) => ({ attr: a, sub: [], compound: [] });

test('statements, operators and literal types', () => {
  assert.deepEqual(parseV2Q('temperature>20'), { kind: 'cmp', path: p('temperature'), op: '>', value: { t: 'number', v: 20 } });
  assert.deepEqual(parseV2Q('color==red,blue'), { kind: 'cmp', path: p('color'), op: '==', value: { t: 'list', items: [{ t: 'string', v: 'red' }, { t: 'string', v: 'blue' }] } });
  assert.deepEqual(parseV2Q('t==1..5'), { kind: 'cmp', path: p('t'), op: '==', value: { t: 'range', from: { t: 'number', v: 1 }, to: { t: 'number', v: 5 } } });
  assert.deepEqual(parseV2Q("name=='a;b,c'"), { kind: 'cmp', path: p('name'), op: '==', value: { t: 'string', v: 'a;b,c' } });
  assert.deepEqual(parseV2Q('on:true'), { kind: 'cmp', path: p('on'), op: '==', value: { t: 'boolean', v: true } });
  assert.deepEqual(parseV2Q('d>=2026-01-01T00:00:00+01:00'), { kind: 'cmp', path: p('d'), op: '>=', value: { t: 'datetime', v: '2025-12-31T23:00:00.000Z' } });
  assert.deepEqual(parseV2Q('speed;x!=3'), { kind: 'and', items: [{ kind: 'exists', path: p('speed') }, { kind: 'cmp', path: p('x'), op: '!=', value: { t: 'number', v: 3 } }] });
  assert.deepEqual(parseV2Q('name~=^Ro'), { kind: 'pattern', path: p('name'), negated: false, pattern: '^Ro', flags: '' });
  assert.deepEqual(parseV2Q('address.city==Herne'), { kind: 'cmp', path: { attr: 'address', sub: [], compound: ['city'] }, op: '==', value: { t: 'string', v: 'Herne' } });
  assert.deepEqual(parseV2Q('temperature.accuracy<1', 'mq'), { kind: 'cmp', path: { attr: 'temperature', sub: ['accuracy'], compound: [] }, op: '<', value: { t: 'number', v: 1 } });
});

test('what v2 does not allow, or this broker does not support, is a 400 with a reason', () => {
  for (const q of ['', ';', '!speed', "name=='open", 'x>1..2', 'x<1,2', 'a b==1', 'x==']) {
    assert.throws(() => parseV2Q(q), (e: unknown) => e instanceof V2Error && e.status === 400, q);
  }
  assert.throws(() => parseV2Q('temperature', 'mq'), (e: unknown) => e instanceof V2Error && e.status === 400);
});

test('the tree as NGSI-LD q text (stored by v2 subscriptions)', () => {
  assert.equal(qToLd(parseV2Q("temperature>25;name=='x';c==a,b;r==1..2")), 'temperature>25;name=="x";c=="a","b";r==1..2');
  assert.equal(qToLd(parseV2Q('temperature.accuracy<1', 'mq')), 'temperature.accuracy<1');
  assert.equal(qToLd(parseV2Q('address.city==Herne')), 'address[city]=="Herne"');
});
