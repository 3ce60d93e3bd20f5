// PostgreSQL for tests: TEST_PG_URL names the server (CI sets it); each store gets its own schema,
// dropped afterwards (the pg-boss habit). Without TEST_PG_URL the PostgreSQL tests skip, saying so.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStorage } from '../../src/storage/postgres/postgres.adapter.ts';

export const PG_URL = process.env.TEST_PG_URL || undefined;
export const PG_SKIP = PG_URL ? false : 'TEST_PG_URL is not set: PostgreSQL tests need a server (e.g. TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test)';

export function freshSchema(): string {
  return `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export async function openPgStorage(schema = freshSchema(), extra: { poolSize?: number; warn?: (obj: object, msg: string) => void } = {}): Promise<PostgresStorage> {
  if (!PG_URL) throw new Error(String(PG_SKIP));
  return PostgresStorage.open({ url: PG_URL, schema, poolSize: extra.poolSize ?? 4, warn: extra.warn });
}

export async function dropSchema(schema: string): Promise<void> {
  if (!PG_URL) return;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}
