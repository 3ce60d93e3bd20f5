// The pages' routes of proposals' images: the file itself (released ones for everybody; a waiting or
// rejected one for its author and moderators, never cached), its removal by the author or a
// moderator, and the moderators' release or rejection (with a reason the author is mailed).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Person, Problem, ProposalImageService } from '../../participation/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href, type Lang, type PageName } from '../paths.ts';

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

export interface ImagePageKit {
  images: ProposalImageService;
  person(req: FastifyRequest): Promise<Person | undefined>;
  route(page: PageName, method: 'GET' | 'POST', handler: (req: Req, reply: FastifyReply, lang: Lang) => Promise<unknown>, suffix?: string): void;
  form(req: FastifyRequest): Record<string, string>;
  badInput(e: unknown): Problem[] | undefined;
  messages(problems: Problem[], m: ParticipationMessages): Record<string, string>;
  part: Record<Lang, ParticipationMessages>;
  /** The moderation page, answering a form with errors in place. */
  moderationPage(req: Req, reply: FastifyReply, lang: Lang, errors: Record<string, string>, status: number): Promise<unknown>;
}

export function imagePages(k: ImagePageKit): void {
  k.route('proposal', 'GET', async (req, reply) => {
    const img = await k.images.file(req.params.id!, await k.person(req));
    return reply.type(img.contentType).header('cache-control', img.state === 'released' ? 'public, max-age=300' : 'private, no-store').send(img.data);
  }, '/bild');

  k.route('proposal', 'POST', async (req, reply, lang) => {
    await k.images.remove(await k.person(req), req.params.id!);
    return reply.status(303).header('location', `${href(lang, 'proposal', req.params.id!)}?hinweis=imageRemoved`).send();
  }, '/bild/entfernen');

  for (const [suffix, state] of [['/bilder/:pid/freigeben', 'released'], ['/bilder/:pid/ablehnen', 'rejected']] as const) {
    k.route('moderation', 'POST', async (req, reply, lang) => {
      const pid = req.params.pid!;
      try {
        await k.images.decide(await k.person(req), pid, state, k.form(req).reason);
      } catch (e) {
        const problems = k.badInput(e);
        if (!problems) throw e;
        // The message at the reason field of this image's form.
        const msgs = k.messages(problems, k.part[lang]);
        return k.moderationPage(req, reply, lang, { [`bildgrund-${pid}`]: msgs.reason ?? Object.values(msgs)[0] ?? '' }, 400);
      }
      return reply.status(303).header('location', `${href(lang, 'moderation')}?hinweis=${state === 'released' ? 'imageReleased' : 'imageRejected'}#bilder`).send();
    }, suffix);
  }
}
