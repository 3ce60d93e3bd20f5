// Helpers for the login, account and admin page tests: an app with access control on, users made
// through the admin API, a browser-like form post (Accept: text/html) and a cookie jar.
import type { LightMyRequestResponse } from 'fastify';
import { accountsApp, cookiesOf, PASSWORD, type AccountsApp } from '../accounts/support.ts';

export { PASSWORD };
export const HTML = 'text/html,application/xhtml+xml';

export interface Browser {
  cookie: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, fields: Record<string, string>, opts?: { csrf?: boolean }): Promise<LightMyRequestResponse>;
  /** The _csrf value of the first form on a page. */
  csrfOf(html: string): string;
}

/** A browser session against an app: keeps cookies, sends forms like a browser. */
export function browser(t: AccountsApp): Browser {
  let jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const take = (r: LightMyRequestResponse) => {
    const h = r.headers['set-cookie'];
    for (const c of h === undefined ? [] : Array.isArray(h) ? h : [h]) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const k = pair.slice(0, i);
      const v = pair.slice(i + 1);
      if (v === '' || /max-age=0/i.test(c)) jar.delete(k); else jar.set(k, v);
    }
    return r;
  };
  let lastCsrf = '';
  const b: Browser = {
    get cookie() { return cookie(); },
    async get(url) {
      const r = take(await t.app.inject({ url, headers: { accept: HTML, cookie: cookie() } }));
      const m = /name="_csrf" value="([^"]+)"/.exec(r.body);
      if (m) lastCsrf = m[1];
      return r;
    },
    async post(url, fields, opts = {}) {
      const body = new URLSearchParams({ ...(opts.csrf === false ? {} : { _csrf: lastCsrf }), ...fields }).toString();
      return take(await t.app.inject({ method: 'POST', url, payload: body, headers: { accept: HTML, cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' } }));
    },
    csrfOf(html) { return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''; },
  };
  void cookiesOf;
  jar = new Map();
  return b;
}

/** Logs a browser in through the login page's form. */
export async function logIn(b: Browser, email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
  await b.get('/anmelden');
  return b.post('/konto/anmelden', { email, password, returnTo: '/konto' });
}

export { accountsApp, type AccountsApp };
