// Unit tests of the rendered-entity cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RenderCache, withContext } from './entity.views.ts';

test('RenderCache evicts the least recently used texts beyond its byte budget', () => {
  const c = new RenderCache(100);
  c.set('a', 'x'.repeat(10));
  c.set('b', 'y'.repeat(10));
  assert.equal(c.get('a'), 'x'.repeat(10)); // a is now the most recent
  for (let i = 0; i < 10; i++) c.set(`k${i}`, 'z'.repeat(10));
  assert.equal(c.get('b'), undefined, 'b was least recently used');
  assert.ok(c.size * 11 <= 100);
});

test('RenderCache refuses texts larger than an eighth of its budget and is off at 0', () => {
  const c = new RenderCache(80);
  c.set('big', 'x'.repeat(20));
  assert.equal(c.get('big'), undefined);
  const off = new RenderCache(0);
  off.set('a', 'x');
  assert.equal(off.get('a'), undefined);
});

test('withContext puts @context first in an entity text', () => {
  assert.deepEqual(JSON.parse(withContext('{"id":"urn:a"}', '"u"')), { '@context': 'u', id: 'urn:a' });
  assert.deepEqual(JSON.parse(withContext('{}', '["u"]')), { '@context': ['u'] });
});
