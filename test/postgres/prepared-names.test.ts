// Named prepared statements (qp) live per connection: one name used for two SQL texts fails at run
// time ("Prepared statements must be unique") on the first connection that runs both. Each name
// therefore appears at exactly one call site in the PostgreSQL adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

test('every named prepared statement of the PostgreSQL adapter has one call site', () => {
  const dir = join(import.meta.dirname, '../../src/storage/postgres');
  const sites = new Map<string, string[]>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/\bqp(?:<[^(]*>)?\(\s*[\w.]+,\s*'([^']+)'/g)) {
      sites.set(m[1]!, [...(sites.get(m[1]!) ?? []), f]);
    }
  }
  assert.ok(sites.size >= 10, `found ${sites.size} named statements: the pattern no longer matches the call sites`);
  const twice = [...sites].filter(([, at]) => at.length > 1);
  assert.deepEqual(twice, [], 'statement names used at more than one call site');
});
