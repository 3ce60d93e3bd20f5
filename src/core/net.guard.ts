// SSRF guard for outbound calls (notification endpoints, remote @context documents): recognises loopback,
// private, link-local (cloud metadata) and other non-public addresses, as literals and after DNS resolution.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';

function v4(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** Whether an IP address is not on the public internet (RFC 1918, 6598, 3927, 4193, 4291 loopback/link-local …). */
export function isPrivateAddress(ip: string): boolean {
  const kind = isIP(ip);
  if (kind === 4) {
    const [a, b] = v4(ip);
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254)
      || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 198 && (b === 18 || b === 19)) || a >= 224;
  }
  if (kind === 6) {
    const s = ip.toLowerCase().replace(/^\[|\]$/g, '');
    if (s === '::' || s === '::1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
    if (mapped) return isPrivateAddress(mapped[1]);
    return /^f[cd]/.test(s) || /^fe[89ab]/.test(s) || s.startsWith('ff');
  }
  return false;
}

/** A host name that is private by itself (a literal address or localhost), before any DNS look-up. */
export function isPrivateHostLiteral(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isPrivateAddress(h);
}

export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDR';
}

type LookupCb = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup replacement for http.request / net.connect that refuses private addresses. */
export function guardedLookup(hostname: string, options: object, cb: LookupCb): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return cb(err, []);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) return cb(new PrivateAddressError(`${hostname} resolves to the private address ${bad.address}; notifications to private addresses are refused`), []);
    if ((options as { all?: boolean }).all) return cb(null, list);
    cb(null, list[0].address, list[0].family);
  });
}

/** Resolves a host to one public address (for clients without a lookup hook, e.g. MQTT). */
export function resolvePublic(hostname: string): Promise<string> {
  return new Promise((res, rej) => guardedLookup(hostname, {}, (err, address) => (err ? rej(err) : res(address as string))));
}

/**
 * A fetch that refuses private addresses: literal hosts are checked before connecting (sockets skip
 * DNS for them), names after resolution; redirects are followed here (at most 5) so each hop is checked.
 */
export function guardedFetch(): typeof fetch {
  const agent = new Agent({ connect: { lookup: guardedLookup as never } });
  return (async (input: string | URL, init?: RequestInit) => {
    let url = new URL(String(input));
    for (let hop = 0; ; hop++) {
      if (isPrivateHostLiteral(url.hostname)) {
        throw new TypeError('fetch failed', { cause: new PrivateAddressError(`${url.hostname} is a private address; fetching from private addresses is refused`) });
      }
      const res = await undiciFetch(url, { ...(init as object), redirect: 'manual', dispatcher: agent } as never);
      const loc = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !loc || init?.redirect === 'manual') return res as unknown as Response;
      if (hop >= 5) throw new TypeError('fetch failed', { cause: new Error('too many redirects') });
      await res.body?.cancel().catch(() => {});
      url = new URL(loc, url);
    }
  }) as unknown as typeof fetch;
}
