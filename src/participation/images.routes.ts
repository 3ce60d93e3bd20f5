// Proposals' images in the JSON API: the author uploads one (multipart/form-data: `image`, a JPEG or
// PNG file, and `alt`, its description), moderators release or reject it, and everybody reads a
// released one. A waiting or rejected image is 404 for everybody but its author and moderators.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProposalImageMeta } from './images.model.ts';
import { IMAGE_LIMITS, type ProposalImageService } from './image.service.ts';
import type { Person } from './participation.service.ts';

export interface ImageRouteDeps {
  images: ProposalImageService;
  person(req: FastifyRequest): Promise<Person | undefined>;
}

const open = { config: { access: { op: 'public' as const } } };
type Id = FastifyRequest<{ Params: { id: string } }>;
type Body = Record<string, unknown>;
const body = (req: FastifyRequest): Body => (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body as Body : {});

/** An image as the API shows it: where to fetch it and its description; the state (and a rejection's reason) for those who may see it waiting. */
export function imageOut(m: ProposalImageMeta, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { url: `/api/participation/proposals/${encodeURIComponent(m.proposalId)}/image`, alt: m.alt, width: m.width, height: m.height, contentType: m.contentType };
  if (full) Object.assign(out, { state: m.state, createdAt: m.createdAt, ...(m.decidedAt ? { decidedAt: m.decidedAt } : {}), ...(m.reason ? { reason: m.reason } : {}) });
  return out;
}

/** Registers the multipart parser for one image (a file over the limit is marked truncated, not thrown). */
export async function acceptImageForms(app: FastifyInstance, fileField: string): Promise<void> {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: IMAGE_LIMITS.maxBytes, files: 1, fields: 20, fieldSize: 16 * 1024, parts: 25 },
    async onFile(part) {
      const bytes = await part.toBuffer();
      (part as unknown as { value: unknown }).value = part.fieldname === fileField ? { bytes, type: part.mimetype, truncated: part.file.truncated } : undefined;
    },
  });
}

export function imageRoutes(app: FastifyInstance, d: ImageRouteDeps): void {
  void app.register(async (x) => {
    await acceptImageForms(x, 'image');
    x.put('/proposals/:id/image', open, async (req: Id) => imageOut(await d.images.attach(await d.person(req), req.params.id, body(req).image, body(req).alt), true));
  });
  app.get('/proposals/:id/image', open, async (req: Id, reply) => {
    const viewer = await d.person(req);
    const img = await d.images.file(req.params.id, viewer);
    // Released: cacheable by anyone; waiting or rejected: only this person's browser, not kept.
    return reply.type(img.contentType).header('cache-control', img.state === 'released' ? 'public, max-age=300' : 'private, no-store')
      .header('content-disposition', `inline; filename="vorschlag-${req.params.id}.${img.contentType === 'image/png' ? 'png' : 'jpg'}"`).send(img.data);
  });
  app.delete('/proposals/:id/image', open, async (req: Id, reply) => { await d.images.remove(await d.person(req), req.params.id); return reply.status(204).send(); });
  app.post('/proposals/:id/image/release', open, async (req: Id) => imageOut(await d.images.decide(await d.person(req), req.params.id, 'released'), true));
  app.post('/proposals/:id/image/reject', open, async (req: Id) => imageOut(await d.images.decide(await d.person(req), req.params.id, 'rejected', body(req).reason), true));
  app.get('/proposal-images', open, async (req, reply) => reply.header('cache-control', 'no-store').send((await d.images.pending(await d.person(req))).map((m) => ({ ...imageOut(m, true), proposalId: m.proposalId, title: m.title }))));
}
