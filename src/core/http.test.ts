import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseForm } from './http.ts';

describe('parseForm (HTML form posts)', () => {
  it('keeps the first value of a repeated field, or all of them in order with lists', () => {
    assert.deepEqual({ ...parseForm('a=1&b=2&a=3') }, { a: '1', b: '2' });
    assert.deepEqual({ ...parseForm('a=1&b=2&a=3&a=4', true) }, { a: ['1', '3', '4'], b: '2' });
  });

  it('decodes + as a space and percent escapes', () => {
    assert.deepEqual({ ...parseForm('name=Eiffel+Tower&sym=%2B%26') }, { name: 'Eiffel Tower', sym: '+&' });
  });

  it('treats __proto__, constructor and toString as ordinary fields', () => {
    const f = parseForm('__proto__=x&constructor=y&toString=z&__proto__=w', true);
    assert.equal(Object.getPrototypeOf(f), null);
    assert.deepEqual(Object.keys(f).sort(), ['__proto__', 'constructor', 'toString']);
    assert.deepEqual(f['__proto__'], ['x', 'w']);
    assert.equal(f.constructor, 'y');
    // The first-value form does not skip a field whose name an ordinary object inherits.
    assert.equal(parseForm('toString=1').toString, '1');
  });
});
