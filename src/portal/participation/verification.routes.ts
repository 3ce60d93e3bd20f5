// The verification page's routes (/beteiligung/:id/nachweis): the person's form, the steward's
// setting and the invitation codes (a CSV download, the only time the codes are shown).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Frame } from '../components/layout.tsx';
import type { Messages } from '../i18n/index.ts';
import { ParticipationProblem, VerificationService, type ParticipationService, type Problem } from '../../participation/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href, type Here, type Lang, type PageName } from '../paths.ts';
import type { Viewer } from './pages.tsx';
import { VerificationPage } from './verification.pages.tsx';

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

export interface VerificationPageKit {
  service: ParticipationService;
  verification: VerificationService;
  route(page: PageName, method: 'GET' | 'POST', handler: (req: Req, reply: FastifyReply, lang: Lang) => Promise<unknown>, suffix?: string): void;
  send(req: FastifyRequest, reply: FastifyReply, lang: Lang, here: Here, build: (f: Frame, t: Messages, m: ParticipationMessages) => VNode, status?: number): Promise<unknown>;
  viewer(req: FastifyRequest, reply: FastifyReply): Promise<Viewer>;
  form(req: FastifyRequest): Record<string, string>;
  badInput(e: unknown): Problem[] | undefined;
  messages(problems: Problem[], m: ParticipationMessages): Record<string, string>;
  part: Record<Lang, ParticipationMessages>;
}

export function verificationPages(_app: FastifyInstance, k: VerificationPageKit): void {
  const s = k.service;
  const vs = k.verification;
  const page = async (req: Req, reply: FastifyReply, lang: Lang, errors: Record<string, string> = {}, values: Record<string, string> = {}, status = 200) => {
    const [view, viewer] = await Promise.all([s.process(req.params.id!), k.viewer(req, reply)]);
    const required = vs.required(view.process);
    const plugin = required ? vs.plugin(required) : undefined;
    const st = await vs.status(viewer.person, view.process);
    const codes = viewer.steward && view.process.verification === 'invitation-code' ? await vs.codeCounts(view.process) : undefined;
    const hinweis = req.query.hinweis;
    const notice = hinweis === 'verifiziert' ? k.part[lang].verification.verified : hinweis === 'gespeichert' ? k.part[lang].verification.modeSaved : undefined;
    return k.send(req, reply, lang, { page: 'participation' }, (frame, t, m) => VerificationPage({
      frame, viewer, view, verified: st.verified && !!required, methods: vs.methods(), errors, values, notice,
      ...(plugin ? { plugin: { name: plugin.name, label: plugin.label, hint: plugin.hint } } : {}), ...(codes ? { codes } : {}),
    }, t, m), status);
  };
  const here = (lang: Lang, slug: string) => `${href(lang, 'process', slug)}/nachweis`;

  k.route('process', 'GET', (req, reply, lang) => page(req, reply, lang), '/nachweis');
  k.route('process', 'POST', async (req, reply, lang) => {
    const { process } = await s.process(req.params.id!);
    const code = k.form(req).code ?? '';
    try {
      await vs.verify(await personOf(k, req, reply), process, code);
    } catch (e) {
      const problems = k.badInput(e);
      if (!problems) throw e;
      return page(req, reply, lang, k.messages(problems, k.part[lang]), { code }, 400);
    }
    return reply.status(303).header('location', `${here(lang, process.slug)}?hinweis=verifiziert`).send();
  }, '/nachweis');

  // Stewards: the process's verification (the rest of the process as it is).
  k.route('process', 'POST', async (req, reply, lang) => {
    const viewer = await k.viewer(req, reply);
    const { process } = await s.process(req.params.id!);
    const { createdAt, modifiedAt, ...rest } = process;
    void createdAt; void modifiedAt;
    const verification = k.form(req).verification ?? '';
    try {
      await s.replaceProcess(viewer.person, process.slug, { ...rest, verification });
    } catch (e) {
      const problems = k.badInput(e);
      if (!problems) throw e;
      return page(req, reply, lang, k.messages(problems, k.part[lang]), {}, 400);
    }
    return reply.status(303).header('location', `${here(lang, process.slug)}?hinweis=gespeichert`).send();
  }, '/nachweis/einstellung');

  // Stewards: new invitation codes, answered as a CSV download (shown this once).
  k.route('process', 'POST', async (req, reply, lang) => {
    const viewer = await k.viewer(req, reply);
    await s.check(viewer.person, 'answer', undefined);
    const { process } = await s.process(req.params.id!);
    const raw = (k.form(req).count ?? '').trim();
    try {
      if (process.verification !== 'invitation-code') throw new ParticipationProblem('Conflict', 409, 'Conflict', 'This process does not require invitation codes');
      const codes = await vs.makeCodes(process, /^\d{1,6}$/.test(raw) ? Number(raw) : raw);
      return reply.type('text/csv; charset=utf-8').header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="einladungscodes-${process.slug}.csv"`).send(VerificationService.csv(codes));
    } catch (e) {
      const problems = k.badInput(e);
      if (!problems) throw e;
      return page(req, reply, lang, k.messages(problems, k.part[lang]), { count: raw }, 400);
    }
  }, '/nachweis/codes');
}

async function personOf(k: VerificationPageKit, req: FastifyRequest, reply: FastifyReply) {
  return (await k.viewer(req, reply)).person;
}
