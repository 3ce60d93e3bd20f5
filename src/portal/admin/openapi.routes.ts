// GET /api/openapi.json and the page that lists it (/entwickler/api, /en/developers/api).
import type { FastifyInstance } from 'fastify';
import { LANGS, PAGES } from '../paths.ts';
import type { PageKit } from './admin.kit.ts';
import { OPERATIONS, TAGS, openApiDocument } from './openapi.ts';
import { ApiDocsPage } from './pages/api-docs.tsx';
import { sendCompressed } from '../render.ts';

const open = { config: { access: { op: 'public' as const } } };

export async function openApiRoutes(app: FastifyInstance, kit: PageKit, version: string): Promise<void> {
  const doc = Buffer.from(JSON.stringify(openApiDocument(kit.d.config.publicUrl, version)), 'utf8');
  app.get('/api/openapi.json', open, async (req, reply) => {
    reply.header('Content-Type', 'application/json; charset=utf-8').header('Cache-Control', 'public, max-age=300').header('Access-Control-Allow-Origin', '*');
    return sendCompressed(req, reply, doc);
  });
  for (const lang of LANGS) {
    app.get(PAGES.apiDocs[lang], open, async (req, reply) => {
      const s = await kit.session(req);
      return kit.send(req, reply, lang, { page: 'apiDocs' }, (frame, t, a) => ApiDocsPage({ frame, tags: TAGS, operations: OPERATIONS }, t, a), { session: s });
    });
  }
}
