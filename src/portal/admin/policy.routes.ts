// The access policy page: the same PolicyService as /admin/policy (read, replace, reset).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ProblemError } from '../../core/errors.ts';
import type { ActiveSession } from '../../accounts/index.ts';
import { InvalidPolicy, policyIssues } from '../../auth/index.ts';
import { ADMIN_CATALOGS } from '../i18n/admin.index.ts';
import { href, type Lang } from '../paths.ts';
import { adminPage, formBody, seeOther, type AdminReq, type PageKit } from './admin.kit.ts';
import type { FormState } from './forms.tsx';
import { PolicyPage } from './pages/policy.tsx';

/** Line and column of a JSON.parse error ("… at position 12"), when the engine names the position. */
function where(text: string, err: unknown): { line?: number; col?: number } {
  const m = /position (\d+)/.exec(String((err as Error).message));
  if (!m) return {};
  const before = text.slice(0, Number(m[1])).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

export async function policyPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const policies = kit.d.auth.policies;
  const page = async (req: AdminReq, reply: FastifyReply, lang: Lang, s: ActiveSession, extra: { form?: FormState<'policy'>; notice?: string } = {}, status = 200) => {
    const view = await policies.view();
    const form = extra.form ?? { values: { policy: JSON.stringify(view.policy, null, 2) }, errors: {} };
    return kit.send(req, reply, lang, { page: 'adminPolicy' }, (frame, t, a) => PolicyPage({ frame, csrf: s.session.csrf, view, form, notice: extra.notice }, t, a), { status, session: s });
  };

  adminPage(app, kit, 'adminPolicy', 'operator', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const notice = req.query.ok === 'saved' ? a.policy.saved : req.query.ok === 'reset' ? a.policy.resetDone : undefined;
    return page(req, reply, lang, s, { notice });
  });

  adminPage(app, kit, 'adminPolicy', 'operator', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const b = formBody(req);
    req.auditTarget = 'policy';
    if (b.action === 'reset') {
      await policies.reset();
      return seeOther(reply, href(lang, 'adminPolicy'), 'reset');
    }
    if (b.action !== 'save') throw new ProblemError('https://drehscheibe.dev/errors/BadRequest', 400, 'Bad request', 'unknown action');
    const text = b.policy ?? '';
    const refuse = (error: string) => page(req, reply, lang, s, { form: { values: { policy: text }, errors: { policy: error } } }, 400);
    if (!text.trim()) return refuse(a.policy.empty);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      const w = where(text, e);
      return refuse(a.policy.notJson(w.line, w.col));
    }
    // The page shows the problems of the same rules the service (and PUT /admin/policy) applies.
    const say = (issues: ReturnType<typeof policyIssues>) => refuse(`${a.policy.problems(issues.length)}${issues.map((i) => (lang === 'de' ? i.de : `${i.message}.`)).join(' ')}`);
    const issues = policyIssues(doc);
    if (issues.length) return say(issues);
    try {
      await policies.replace(doc);
    } catch (e) {
      if (e instanceof InvalidPolicy) return say(e.issues);
      throw e;
    }
    return seeOther(reply, href(lang, 'adminPolicy'), 'saved');
  }, 'POST');
}
