// SSRF guard for outbound calls (notification endpoints, remote @context documents): recognises loopback,
// private, link-local (cloud metadata) and other non-public addresses, as literals and after DNS resolution,
// in every textual form (IPv4-mapped/-compatible/-translated IPv6, NAT64, 6to4, Teredo; decimal, octal and
// hex IPv4 are turned into dotted quads by the WHATWG URL parser, which isPrivateHostLiteral applies).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';

/** IPv4 ranges that are not on the public internet (RFC 6890 special-purpose registry and RFC 1918/6598/3927). */
const V4_PRIVATE = blockList('ipv4', [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
]);

/**
 * IPv6 ranges inside global unicast (2000::/3) that are still not public: documentation, ORCHID, benchmarking
 * and the local-use NAT64 prefix; anything outside 2000::/3 (ULA, link-local, multicast, …) is refused anyway.
 */
const V6_SPECIAL = blockList('ipv6', [['2001:db8::', 32], ['2001:10::', 28], ['2001:20::', 28], ['2001:2::', 48], ['3fff::', 20]]);

function blockList(type: 'ipv4' | 'ipv6', ranges: [string, number][]): BlockList {
  const b = new BlockList();
  for (const [net, prefix] of ranges) b.addSubnet(net, prefix, type);
  return b;
}

/** The eight 16-bit groups of an IPv6 address in any textual form (with "::" and/or a trailing dotted quad). */
export function ipv6Words(ip: string): number[] | undefined {
  let s = ip.toLowerCase().replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) !== 6) return undefined;
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    s = s.slice(0, quad.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const part = (x: string | undefined) => (x ? x.split(':').map((w) => parseInt(w, 16)) : []);
  const h = part(head);
  const t = part(tail);
  return tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

function dotted(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/**
 * The IPv4 addresses an IPv6 address stands for: IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96,
 * IPv4-compatible ::/96 (also :: and ::1, as 0.0.0.0 and 0.0.0.1), NAT64 64:ff9b::/96, 6to4 2002::/16 and
 * both ends of Teredo 2001::/32. A connection to any of these forms can reach the IPv4 host.
 */
export function embeddedIpv4(words: number[]): string[] {
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zero(0, 5) && (words[5] === 0xffff || words[5] === 0)) return [dotted(words[6], words[7])];
  if (zero(0, 4) && words[4] === 0xffff && words[5] === 0) return [dotted(words[6], words[7])];
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return [dotted(words[6], words[7])];
  if (words[0] === 0x2002) return [dotted(words[1], words[2])];
  if (words[0] === 0x2001 && words[1] === 0) return [dotted(words[2], words[3]), dotted(words[6] ^ 0xffff, words[7] ^ 0xffff)];
  return [];
}

/** Whether an IP address is not on the public internet, in whatever form it is written (IPv6 with or without brackets). */
export function isPrivateAddress(ip: string): boolean {
  const kind = isIP(ip);
  if (kind === 4) return V4_PRIVATE.check(ip, 'ipv4');
  const words = ipv6Words(ip);
  if (!words) return false;
  const v4 = embeddedIpv4(words);
  if (v4.length > 0 && words[0] !== 0x2002 && words[0] !== 0x2001) return v4.some((a) => V4_PRIVATE.check(a, 'ipv4'));
  if (v4.some((a) => V4_PRIVATE.check(a, 'ipv4'))) return true;
  // Only global unicast (2000::/3) is public; ULA fc00::/7, link-local fe80::/10, multicast ff00::/8 and the rest are not.
  if ((words[0] & 0xe000) !== 0x2000) return true;
  const canonical = words.map((w) => w.toString(16)).join(':');
  return V6_SPECIAL.check(canonical, 'ipv6');
}

/**
 * A host name that is private by itself (a literal address or localhost), before any DNS look-up. The host is
 * first put through the WHATWG URL host parser, so 2130706433, 0177.1 and 0x7f.0.0.1 are 127.0.0.1 here too.
 */
export function isPrivateHostLiteral(host: string): boolean {
  let h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(h) === 0) {
    try {
      h = new URL(`http://${h.includes(':') ? `[${h}]` : h}/`).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return false; // not a valid host at all: the connection attempt fails on its own
    }
  }
  h = h.replace(/\.$/, '');
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
