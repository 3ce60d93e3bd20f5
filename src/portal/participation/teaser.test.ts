import { test } from 'node:test';
import assert from 'node:assert/strict';
import { teaser } from './pages.tsx';

test('teaser: the first paragraph, cut at a word boundary after about 240 characters', () => {
  assert.equal(teaser(undefined), '');
  assert.equal(teaser('Kurz.\n\nZweiter Absatz.'), 'Kurz.');
  const long = `${'Wort '.repeat(80)}Ende.`;
  const t = teaser(long);
  assert.ok(t.length <= 242 && t.endsWith(' …'), t);
  assert.ok(!t.includes('Wor …'), 'no word is cut');
});
