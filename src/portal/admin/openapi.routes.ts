// GET /api/openapi.json and the page that lists it (/entwickler/api, /en/developers/api).
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LANGS, PAGES } from '../paths.ts';
import type { PageKit } from './admin.kit.ts';
import { OPERATIONS, TAGS, openApiDocument } from './openapi.ts';
import { ApiDocsPage } from './pages/api-docs.tsx';
import { pickEncoding, sendCompressed } from '../render.ts';

const open = { config: { access: { op: 'public' as const } } };

export async function openApiRoutes(app: FastifyInstance, kit: PageKit, version: string): Promise<void> {
  // The document never changes while the process runs: it and each encoding are made once, at the
  // first request (not at start-up, which every test app would pay) and reused. Brotli 6: 21 KB in
  // about 70 ms once; 11 would save 2 KB more for about 1 s (measured on the 2-core test machine).
  let doc: Buffer | undefined;
  const packed: { br?: Buffer; gzip?: Buffer } = {};
  const pack = (req: FastifyRequest, doc: Buffer) => {
    const enc = pickEncoding(req);
    if (enc === 'br') packed.br ??= brotliCompressSync(doc, { params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: doc.length } });
    if (enc === 'gzip') packed.gzip ??= gzipSync(doc, { level: 9 });
    return packed;
  };
  app.get('/api/openapi.json', open, async (req, reply) => {
    reply.header('Content-Type', 'application/json; charset=utf-8').header('Cache-Control', 'public, max-age=300').header('Access-Control-Allow-Origin', '*');
    doc ??= Buffer.from(JSON.stringify(openApiDocument(kit.d.config.publicUrl, version)), 'utf8');
    return sendCompressed(req, reply, doc, pack(req, doc));
  });
  for (const lang of LANGS) {
    app.get(PAGES.apiDocs[lang], open, async (req, reply) => {
      const s = await kit.session(req);
      return kit.send(req, reply, lang, { page: 'apiDocs' }, (frame, t, a) => ApiDocsPage({ frame, tags: TAGS, operations: OPERATIONS }, t, a), { session: s });
    });
  }
}
