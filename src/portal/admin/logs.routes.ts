// Audit log, mail outbox and accessibility feedback pages: the same reads as GET /admin/audit,
// GET /admin/outbox and the strategy service's feedback().
import type { FastifyInstance } from 'fastify';
import type { MailState } from '../../storage/port.accounts.ts';
import { ADMIN_CATALOGS } from '../i18n/admin.index.ts';
import { adminPage, type PageKit } from './admin.kit.ts';
import type { FormState } from './forms.tsx';
import { AuditPage, FeedbackPage, OutboxPage, type AuditField } from './pages/logs.tsx';

const SIZE = 50;
const offsetOf = (v: string | undefined) => Math.min(1_000_000, Math.max(0, Number.parseInt(v ?? '0', 10) || 0));

export async function logPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { storage, auth, strategy } = kit.d;

  adminPage(app, kit, 'adminAudit', 'operator', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const q = req.query;
    const form: FormState<AuditField> = { values: { principal: q.principal ?? '', action: q.action ?? '', since: q.since ?? '' }, errors: {} };
    const since = (q.since ?? '').trim();
    if (since && (!/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(since)))) form.errors.since = a.audit.dateInvalid;
    for (const k of ['principal', 'action'] as const) if ((form.values[k] ?? '').length > 200) form.values[k] = form.values[k]!.slice(0, 200);
    const offset = offsetOf(q.offset);
    await auth.audit?.flush();
    const rows = await storage.auth.queryAudit({
      principal: form.values.principal?.trim() || undefined, action: form.values.action?.trim() || undefined,
      since: since && !form.errors.since ? new Date(since).toISOString() : undefined, limit: SIZE + 1, offset,
    });
    return kit.send(req, reply, lang, { page: 'adminAudit' }, (frame, t, am) => AuditPage({ frame, rows: rows.slice(0, SIZE), form, offset, size: SIZE, more: rows.length > SIZE, enabled: auth.audit !== undefined }, t, am),
      { status: form.errors.since ? 400 : 200, session: s });
  });

  adminPage(app, kit, 'adminOutbox', 'operator', async (req, reply, lang, s) => {
    const state = ['pending', 'sent', 'failed'].includes(req.query.state ?? '') ? req.query.state as MailState : undefined;
    const offset = offsetOf(req.query.offset);
    const rows = await storage.accounts.listMail({ limit: SIZE + 1, offset, state });
    return kit.send(req, reply, lang, { page: 'adminOutbox' }, (frame, t, a) => OutboxPage({ frame, rows: rows.slice(0, SIZE), state: state ?? '', offset, size: SIZE, more: rows.length > SIZE }, t, a), { session: s });
  });

  adminPage(app, kit, 'adminFeedback', 'operator', async (req, reply, lang, s) => {
    const rows = await strategy.feedback(500);
    return kit.send(req, reply, lang, { page: 'adminFeedback' }, (frame, t, a) => FeedbackPage({ frame, rows }, t, a), { session: s });
  });
}
