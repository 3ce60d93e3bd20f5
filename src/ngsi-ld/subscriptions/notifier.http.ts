// HTTP binding of notifications (clause 6.3.x / 5.3.1): POST to the endpoint URI with the Content-Type of
// endpoint.accept, a Link header for application/json, NGSILD-Tenant and the receiverInfo headers.
// undici's pools keep connections per origin and cost half the CPU of node:http per request.
import { Agent } from 'undici';
import { guardedLookup, isPrivateHostLiteral, PrivateAddressError } from './endpoint.guard.ts';
import type { Delivery, Notifier } from './subscriptions.dispatcher.ts';

export interface HttpNotifierOptions {
  allowPrivate: boolean;
}

interface Target { origin: string; path: string; auth?: string; refused?: string }

export class HttpNotifier implements Notifier {
  private readonly agent: Agent;
  /** Parsed endpoints: parsing the URL per notification would cost more than the rest of the request. */
  private readonly targets = new Map<string, Target>();
  private readonly allowPrivate: boolean;

  constructor(opts: HttpNotifierOptions) {
    this.allowPrivate = opts.allowPrivate;
    this.agent = new Agent({
      // Connections per origin are not capped here: each dispatcher lane (subscription and endpoint)
      // caps its own attempts in flight, so the hanging attempts of one subscription cannot hold every
      // socket to a host and stall the other subscriptions' notifications to it.
      connections: null,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: opts.allowPrivate ? {} : { lookup: guardedLookup as never },
    });
  }

  private target(uri: string): Target {
    let t = this.targets.get(uri);
    if (t) return t;
    const url = new URL(uri);
    t = { origin: url.origin, path: `${url.pathname}${url.search}` };
    // Sockets skip the guarded look-up for literal addresses, so those are checked here (a subscription
    // stored before the guard knew every address form must not reach a private host either).
    if (!this.allowPrivate && isPrivateHostLiteral(url.hostname)) t.refused = `${url.hostname} is a private address; notifications to private addresses are refused`;
    if (url.username) t.auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    if (this.targets.size > 10_000) this.targets.clear();
    this.targets.set(uri, t);
    return t;
  }

  async send(d: Delivery, timeoutMs: number): Promise<void> {
    const t = this.target(d.uri);
    if (t.refused) throw new PrivateAddressError(t.refused);
    const headers: Record<string, string> = { 'content-type': d.message.contentType };
    if (d.message.link) headers.link = d.message.link;
    if (d.tenant) headers['ngsild-tenant'] = d.tenant;
    if (d.message.headers) for (const [k, v] of Object.entries(d.message.headers)) headers[k.toLowerCase()] = v;
    if (t.auth) headers.authorization = t.auth;
    for (const kv of d.receiverInfo ?? []) headers[kv.key.toLowerCase()] = kv.value;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    try {
      const res = await this.agent.request({ origin: t.origin, path: t.path, method: 'POST', headers, body: d.message.body, signal: ac.signal });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
    } catch (e) {
      if (ac.signal.aborted) throw new Error(`no answer within ${timeoutMs} ms`);
      const err = e as Error & { cause?: Error };
      throw new Error(err.cause?.message ?? err.message);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }
}
