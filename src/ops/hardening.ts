// HTTP hardening: security headers on every response (HSTS only over TLS, as seen through a
// trusted proxy), CORS per configured origin with preflight answers, and server timeouts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface HardeningOptions {
  corsOrigins: readonly string[];
  headersTimeoutMs: number;
}

const REQUEST_TIMEOUT_BODY = JSON.stringify({ type: 'https://drehscheibe.dev/errors/RequestTimeout', title: 'Request Timeout', status: 408, detail: 'The request body did not arrive within DREHSCHEIBE_REQUEST_TIMEOUT_MS' });
const REQUEST_TIMEOUT_408 = `HTTP/1.1 408 Request Timeout\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(REQUEST_TIMEOUT_BODY)}\r\nConnection: close\r\n\r\n${REQUEST_TIMEOUT_BODY}`;
const EXPOSE = 'NGSILD-Results-Count, NGSILD-Tenant, Link, Location, ETag, Retry-After, Content-Type';
const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const ALLOW_HEADERS = 'Accept, Content-Type, Link, NGSILD-Tenant, Fiware-Service, Authorization, X-API-Key, If-Match, X-Request-Id';

export function installHardening(app: FastifyInstance, o: HardeningOptions): void {
  const any = o.corsOrigins.includes('*');
  const allowed = new Set(o.corsOrigins);
  if (o.corsOrigins.length) {
    // Before access control, so that 401/403/429 answers are readable by browsers too.
    app.addHook('onRequest', async (req, reply) => {
      const origin = req.headers.origin;
      if (!origin || !(any || allowed.has(origin))) return;
      reply.header('Access-Control-Allow-Origin', any ? '*' : origin);
      if (!any) reply.header('Vary', 'Origin');
      reply.header('Access-Control-Expose-Headers', EXPOSE);
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        reply.header('Access-Control-Allow-Methods', METHODS);
        reply.header('Access-Control-Allow-Headers', ALLOW_HEADERS);
        reply.header('Access-Control-Max-Age', '600');
        return reply.status(204).send();
      }
    });
  }
  // Callback style, not async: this runs on every response, and a promise per hook costs (the GET
  // benchmark lost about a sixth of its throughput to an async version of this hook).
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    if (!reply.hasHeader('Content-Security-Policy')) reply.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    // req.protocol honours X-Forwarded-Proto only with TRUST_PROXY=on.
    if (req.protocol === 'https') reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    done(null, payload);
  });
  // Quiet connections (Fastify's connectionTimeout = DREHSCHEIBE_REQUEST_TIMEOUT_MS): by default Node
  // destroys a socket that saw no traffic for that long — also one whose request was received in
  // full and is still being worked on, so a batch waiting for a loaded writer lost its connection
  // (ECONNRESET) and its answer while the write went on (issue #19). With a listener of our own
  // Node destroys nothing itself, and we decide: a request received in full keeps its connection
  // until it is answered; a body that stopped arriving gets 408 and the connection is closed; an
  // idle connection, or one whose answer is not being read, is closed.
  const current = new WeakMap<Socket, { req: IncomingMessage; res: ServerResponse }>();
  app.addHook('onRequest', (req, reply, done) => {
    current.set(req.raw.socket, { req: req.raw, res: reply.raw });
    done();
  });
  app.server.on('timeout', (socket: Socket) => {
    const open = current.get(socket);
    if (open && !open.res.headersSent && !open.res.writableEnded) {
      if (open.req.complete) return;
      // The 408 is written out first, then the connection goes (destroy at once could drop it).
      socket.end(REQUEST_TIMEOUT_408, () => socket.destroy());
      return;
    }
    socket.destroy();
  });
  app.addHook('onReady', async () => {
    // Slow clients: a request's headers must arrive within this time (slowloris).
    if (app.server) app.server.headersTimeout = o.headersTimeoutMs;
  });
}
