// Helpers for tests with access control on: an app with a policy, its bootstrap operator key,
// and keys of every role created through the admin API.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testApp, type TestApp } from '../support/app.ts';
import type { Clock } from '../../src/core/clock.ts';

export interface AuthApp extends TestApp {
  operatorKey: string;
  key(spec: { name: string; roles: string[]; tenants?: string[]; types?: string[]; ops?: string[]; expiresAt?: string }): Promise<string>;
}

export async function authApp(policy: unknown, env: Record<string, string> = {}, opts: { clock?: Clock } = {}): Promise<AuthApp> {
  const dir = join(process.env.TMPDIR ?? '/tmp', `ds-policy-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(dir, JSON.stringify(policy));
  const t = await testApp({ DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_POLICY_FILE: dir, ...env }, opts);
  const operatorKey = readFileSync(join(t.dir, 'admin-key'), 'utf8').trim();
  return {
    ...t,
    operatorKey,
    async key(spec) {
      const r = await t.app.inject({ method: 'POST', url: '/admin/api-keys', headers: { 'x-api-key': operatorKey, 'content-type': 'application/json' }, payload: spec });
      if (r.statusCode !== 201) throw new Error(`creating key ${spec.name}: ${r.statusCode} ${r.body}`);
      return (r.json() as { key: string }).key;
    },
  };
}

export const HERNE_POLICY = {
  tenants: {
    // Environmental data is open to read for everyone; only the environment department's key writes it.
    '': { types: { AirQualityObserved: { write: ['key:umweltamt'] } } },
    // The utility's tenant is readable only by its own staff.
    stadtwerke: { read: ['steward@stadtwerke'], write: ['steward@stadtwerke'], subscriptions: ['steward@stadtwerke'] },
  },
};
