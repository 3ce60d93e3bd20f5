// Unit tests of attribute list parameters: attrs, pick, omit (v1.8 projection) and watchedAttributes (5.2.12).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequest } from '../../core/errors.ts';
import { parseAttrList, parseProjection } from './attrs.parser.ts';

function invalid(input: string, param: string, re: RegExp) {
  assert.throws(
    () => parseAttrList(input, param),
    (e: unknown) => {
      assert.ok(e instanceof InvalidRequest, `expected InvalidRequest for ${JSON.stringify(input)}, got ${String(e)}`);
      assert.match(e.message, new RegExp(`^Invalid ${param}\\b`), e.message);
      assert.match(e.message, re);
      return true;
    },
  );
}

describe('parseAttrList', () => {
  test('[attrs] comma-separated names are trimmed', () => {
    assert.deepEqual(parseAttrList('temperature, humidity ,speed', 'attrs'), ['temperature', 'humidity', 'speed']);
  });
  test('[attrs] duplicates are removed, keeping the first occurrence', () => {
    assert.deepEqual(parseAttrList('b,a,b,a', 'attrs'), ['b', 'a']);
  });
  test('[attrs] IRIs and prefixed names are accepted', () => {
    assert.deepEqual(parseAttrList('https://example.org/ns?v=1#temp,schema:name,a.b', 'watchedAttributes'), [
      'https://example.org/ns?v=1#temp',
      'schema:name',
      'a.b',
    ]);
  });
  test('[pick/omit] id and type are allowed', () => {
    assert.deepEqual(parseAttrList('id,type,name', 'pick'), ['id', 'type', 'name']);
    assert.deepEqual(parseAttrList('type', 'omit'), ['type']);
  });
  test('[attrs] empty lists and empty names are InvalidRequest naming the parameter and position', () => {
    invalid('', 'attrs', /empty/);
    invalid('  ', 'watchedAttributes', /empty/);
    invalid('a,,b', 'attrs', /position 3: empty attribute name/);
    invalid('a, ', 'omit', /position 3: empty attribute name/);
    invalid(',a', 'pick', /position 1: empty attribute name/);
  });
  test('[attrs] invalid characters are InvalidRequest naming the character', () => {
    invalid('a,b c', 'attrs', /position 4: " " is not allowed in attribute name "b c"/);
    invalid('te$mp', 'attrs', /position 3: "\$" is not allowed/);
    invalid('a;b', 'pick', /";" is not allowed/);
    invalid('a=="x"', 'attrs', /"=" is not allowed/);
  });
  test('[pick/omit] braces are refused by the flat list parser (attrs, watchedAttributes); pick/omit use parseProjection', () => {
    invalid('address{city}', 'attrs', /position 8: nested projections .* only allowed in pick and omit/);
    invalid('name,address{city,street}', 'omit', /position 13: nested projections .* not join/);
    invalid('a}', 'pick', /nested projections/);
  });
});

describe('parseProjection (pick/omit with nested projections, clause 4.21)', () => {
  test('names with nested projections, separated by "," or "|"', () => {
    assert.deepEqual(parseProjection('name, owner{name|employer{name}},id', 'pick'), [
      { name: 'name' },
      { name: 'owner', nested: [{ name: 'name' }, { name: 'employer', nested: [{ name: 'name' }] }] },
      { name: 'id' },
    ]);
  });
  test('unbalanced braces, empty names and bad characters are InvalidRequest with the position', () => {
    assert.throws(() => parseProjection('owner{name', 'pick'), /position 11: '}' expected/);
    assert.throws(() => parseProjection('owner}', 'pick'), /position 6: unbalanced/);
    assert.throws(() => parseProjection('a,{b}', 'omit'), /position 3: empty attribute name/);
    assert.throws(() => parseProjection('a{b;c}', 'pick'), /";" is not allowed/);
    assert.throws(() => parseProjection('a{b}c', 'pick'), /',' or '\|' expected/);
  });
});
