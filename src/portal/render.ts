// Sends a rendered page: the doctype, the security headers of every page (CSP with a per-request
// nonce for scripts, no inline styles), and gzip/brotli when the client accepts it.
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';

/** The page CSP: scripts only with this response's nonce; styles, fonts, images from here (map tiles from the configured origin). */
export function pageCsp(nonce: string, tileOrigin?: string): string {
  const img = ["'self'", 'data:', ...(tileOrigin ? [tileOrigin] : [])].join(' ');
  return [
    "default-src 'none'", `script-src 'nonce-${nonce}'`, "style-src 'self'", `img-src ${img}`, "font-src 'self'", "connect-src 'self'",
    "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
  ].join('; ');
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The encoding to answer with, from Accept-Encoding (br preferred; q=0 refuses). */
export function pickEncoding(req: FastifyRequest): 'br' | 'gzip' | undefined {
  const h = req.headers['accept-encoding'];
  if (typeof h !== 'string' || h === '') return undefined;
  const ok = (name: string) => new RegExp(`(^|,)\\s*${name}\\s*(;\\s*q=(?!0(\\.0*)?\\s*(,|$))[0-9.]+)?\\s*(,|$)`, 'i').test(h);
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return undefined;
}

/** Below this size compression saves too little to be worth the CPU. */
const MIN_COMPRESS = 1024;

export function sendCompressed(req: FastifyRequest, reply: FastifyReply, body: Buffer, precompressed?: { br?: Buffer; gzip?: Buffer }): FastifyReply {
  reply.header('Vary', 'Accept-Encoding');
  const enc = body.length >= MIN_COMPRESS ? pickEncoding(req) : undefined;
  if (enc === 'br') {
    reply.header('Content-Encoding', 'br');
    // Quality 4 for pages made per request: most of the gain of 11 for a fraction of the time.
    return reply.send(precompressed?.br ?? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
  }
  if (enc === 'gzip') {
    reply.header('Content-Encoding', 'gzip');
    return reply.send(precompressed?.gzip ?? gzipSync(body, { level: 6 }));
  }
  return reply.send(body);
}

export function sendPage(req: FastifyRequest, reply: FastifyReply, page: VNode, opts: { nonce: string; tileOrigin?: string; status?: number; personal?: boolean }): FastifyReply {
  const html = Buffer.from(`<!DOCTYPE html>${render(page)}`, 'utf8');
  reply.status(opts.status ?? 200);
  reply.header('Content-Type', 'text/html; charset=utf-8');
  reply.header('Content-Security-Policy', pageCsp(opts.nonce, opts.tileOrigin));
  // A page that shows who is logged in is never stored by a cache.
  reply.header('Cache-Control', opts.personal ? 'private, no-store' : 'no-cache');
  return sendCompressed(req, reply, html);
}
