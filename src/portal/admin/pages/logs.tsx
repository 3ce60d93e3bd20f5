// Read-only administration pages: the audit log (filter, pages), the mail outbox, the
// accessibility feedback.
import type { Messages } from '../../i18n/index.ts';
import type { AdminMessages } from '../../i18n/admin.index.ts';
import type { Frame } from '../../components/layout.tsx';
import { href } from '../../paths.ts';
import { Input, Notice, Select, summary, type FormState } from '../forms.tsx';
import { AdminShell, Table } from './shell.tsx';

export interface AuditRow { at: string; principal: string; action: string; tenant?: string; target?: string; status: number; address?: string }
export type AuditField = 'principal' | 'action' | 'since';

function pager(base: string, q: Record<string, string>, offset: number, size: number, more: boolean, a: AdminMessages) {
  const url = (o: number) => `${base}?${new URLSearchParams({ ...q, offset: String(o) }).toString()}`;
  return (
    <nav class="admin-pager" aria-label={a.common.page(Math.floor(offset / size) + 1)}>
      {offset > 0 && <a class="kern-link" href={url(Math.max(0, offset - size))}>{a.common.previous}</a>}
      {more && <a class="kern-link" href={url(offset + size)}>{a.common.next}</a>}
    </nav>
  );
}

export function AuditPage(m: { frame: Frame; rows: AuditRow[]; form: FormState<AuditField>; offset: number; size: number; more: boolean; enabled: boolean }, t: Messages, a: AdminMessages) {
  const self = href(m.frame.lang, 'adminAudit');
  const q: Record<string, string> = {};
  for (const k of ['principal', 'action', 'since'] as const) if (m.form.values[k] && !m.form.errors[k]) q[k] = m.form.values[k]!;
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={a.audit.title} errors={summary('audit', ['principal', 'action', 'since'] as const, m.form.errors)}>
      {!m.enabled && <Notice kind="info">{a.audit.off}</Notice>}
      <form class="admin-filter" method="get" action={self} novalidate>
        <Input a={a} id="audit-principal" name="principal" label={a.audit.principal} hint={a.audit.principalHint} value={m.form.values.principal} error={m.form.errors.principal} />
        <Input a={a} id="audit-action" name="action" label={a.audit.action} hint={a.audit.actionHint} value={m.form.values.action} error={m.form.errors.action} />
        <Input a={a} id="audit-since" name="since" label={a.audit.since} hint={a.audit.sinceHint} value={m.form.values.since} error={m.form.errors.since} />
        <div class="kern-form-input"><button class="kern-btn kern-btn--secondary" type="submit"><span class="kern-label">{a.common.filter}</span></button></div>
      </form>
      {m.rows.length === 0 ? <p>{a.common.empty}</p> : (
        <Table id="audit" caption={`${a.audit.caption} – ${a.common.page(Math.floor(m.offset / m.size) + 1)}`} head={[a.audit.at, a.audit.principal, a.audit.action, a.audit.tenant, a.audit.target, a.audit.status, a.audit.address]}>
          {m.rows.map((r) => (
            <tr><td>{a.when(r.at)}</td><td>{r.principal}</td><td><code>{r.action}</code></td><td>{r.tenant ?? '–'}</td><td>{r.target ?? '–'}</td><td>{r.status}</td><td>{r.address ?? '–'}</td></tr>
          ))}
        </Table>
      )}
      {pager(self, q, m.offset, m.size, m.more, a)}
    </AdminShell>
  );
}

export interface MailRow { id: string; to: string; subject: string; text: string; createdAt: string; state: string; error?: string; headers?: Record<string, string> }

export function OutboxPage(m: { frame: Frame; rows: MailRow[]; state: string; offset: number; size: number; more: boolean }, t: Messages, a: AdminMessages) {
  const self = href(m.frame.lang, 'adminOutbox');
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={a.outbox.title}>
      <p class="lead">{a.outbox.intro}</p>
      <form class="admin-filter" method="get" action={self}>
        <Select a={a} id="outbox-state" name="state" label={a.outbox.state} value={m.state} options={[['', a.outbox.all], ...(['pending', 'sent', 'failed'] as const).map((s): [string, string] => [s, a.outbox.states[s]])]} />
        <div class="kern-form-input"><button class="kern-btn kern-btn--secondary" type="submit"><span class="kern-label">{a.common.filter}</span></button></div>
      </form>
      {m.rows.length === 0 ? <p>{a.common.empty}</p> : (
        <Table id="outbox" caption={a.outbox.caption} head={[a.outbox.created, a.outbox.to, a.outbox.subject, a.outbox.state, a.outbox.text]}>
          {m.rows.map((r) => (
            <tr>
              <td>{a.when(r.createdAt)}</td>
              <td>{r.to}</td>
              <td>{r.subject}</td>
              <td>{a.outbox.states[r.state] ?? r.state}{r.error ? `: ${r.error}` : ''}</td>
              <td><details><summary>{a.outbox.text}</summary>
                {r.headers && <pre class="mail-headers">{Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}</pre>}
                <pre>{r.text}</pre></details></td>
            </tr>
          ))}
        </Table>
      )}
      {pager(self, m.state ? { state: m.state } : {}, m.offset, m.size, m.more, a)}
    </AdminShell>
  );
}

export interface FeedbackRow { id: string; at: string; lang: string; message: string; name?: string; email?: string; page?: string }

export function FeedbackPage(m: { frame: Frame; rows: FeedbackRow[] }, t: Messages, a: AdminMessages) {
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={a.feedback.title}>
      <p class="lead">{a.feedback.intro}</p>
      {m.rows.length === 0 ? <p>{a.common.empty}</p> : (
        <Table id="feedback" caption={a.feedback.caption} head={[a.feedback.at, a.feedback.from, a.feedback.page, a.feedback.lang, a.feedback.message]}>
          {m.rows.map((r) => (
            <tr>
              <td>{a.when(r.at)}</td>
              <td>{r.name || r.email ? [r.name, r.email].filter(Boolean).join(', ') : a.feedback.anonymous}</td>
              <td>{r.page ?? '–'}</td>
              <td>{r.lang}</td>
              <td><pre>{r.message}</pre></td>
            </tr>
          ))}
        </Table>
      )}
    </AdminShell>
  );
}
