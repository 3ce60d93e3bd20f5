// Helpers for the accounts tests: an app with access control on, users created through the admin
// API, and a small cookie jar over inject() responses.
import type { LightMyRequestResponse } from 'fastify';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import type { Clock } from '../../src/core/clock.ts';

export const PASSWORD = 'Sonnenbank-Herne-2030';

export interface AccountsApp extends AuthApp {
  /** Creates a user through the admin API (operator key); returns its id. */
  user(email: string, roles?: Array<{ role: string; tenants?: string[] }>, password?: string): Promise<string>;
  /** Logs in with JSON; returns the cookie header and the session's CSRF token. */
  login(email: string, password?: string, headers?: Record<string, string>): Promise<Session>;
}

export interface Session { cookie: string; csrf: string }

export async function accountsApp(env: Record<string, string> = {}, opts: { clock?: Clock } = {}): Promise<AccountsApp> {
  const t = await authApp({}, env, opts);
  return {
    ...t,
    async user(email, roles = [{ role: 'citizen' }], password = PASSWORD) {
      const r = await t.app.inject({ method: 'POST', url: '/admin/users', headers: { 'x-api-key': t.operatorKey }, payload: { email, displayName: email.split('@')[0], password, roles } });
      if (r.statusCode !== 201) throw new Error(`creating user ${email}: ${r.statusCode} ${r.body}`);
      return (r.json() as { id: string }).id;
    },
    async login(email, password = PASSWORD, headers = {}) {
      const r = await t.app.inject({ method: 'POST', url: '/konto/anmelden', headers, payload: { email, password } });
      if (r.statusCode !== 200) throw new Error(`login ${email}: ${r.statusCode} ${r.body}`);
      return { cookie: cookiesOf(r), csrf: (r.json() as { csrf: string }).csrf };
    },
  };
}

export function setCookies(r: LightMyRequestResponse): string[] {
  const h = r.headers['set-cookie'];
  return h === undefined ? [] : Array.isArray(h) ? h : [h];
}

/** The name=value pairs a response sets, as a Cookie request header (deleted cookies left out). */
export function cookiesOf(r: LightMyRequestResponse, extra = ''): string {
  const pairs = setCookies(r).map((c) => c.split(';')[0]).filter((p) => !p.endsWith('='));
  return [extra, ...pairs].filter(Boolean).join('; ');
}

export function form(fields: Record<string, string>): { payload: string; headers: Record<string, string> } {
  return { payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}
