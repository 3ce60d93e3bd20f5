import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCodePoints } from './strings.ts';

test('compareCodePoints orders by Unicode code point (as UTF-8 bytes), not by UTF-16 unit', () => {
  const words = ['😀', 'ｚ', 'é', 'ä', 'Ä', 'z', 'b', 'a', 'Z', 'B', 'ab', 'a', '\uE000', '\uD7FF'];
  const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
  assert.deepEqual([...words].sort(compareCodePoints), byBytes);
  assert.deepEqual(byBytes.slice(0, 6), ['B', 'Z', 'a', 'a', 'ab', 'b']);
  assert.ok(compareCodePoints('ｚ', '😀') < 0, 'U+FF5A before U+1F600 (UTF-16 units put the emoji first)');
  assert.equal(compareCodePoints('x', 'x'), 0);
});
