// The frame of every administration page: title, a way back to the overview, a notice after an
// action (post/redirect/get), and the error summary linking to the fields.
import type { ComponentChildren } from 'preact';
import type { Messages } from '../../i18n/index.ts';
import type { AdminMessages } from '../../i18n/admin.index.ts';
import { Layout, type Frame } from '../../components/layout.tsx';
import { ErrorSummary } from '../../components/field.tsx';
import { href } from '../../paths.ts';
import { Notice } from '../forms.tsx';

export interface ShellProps {
  frame: Frame;
  t: Messages;
  a: AdminMessages;
  title: string;
  notice?: string;
  errors?: Array<{ field: string; message: string }>;
  /** Where "back" leads; the administration overview by default, none on the overview itself. */
  back?: string | false;
  children: ComponentChildren;
}

export function AdminShell(p: ShellProps) {
  const errs = p.errors ?? [];
  const back = p.back === undefined ? href(p.frame.lang, 'admin') : p.back;
  return (
    <Layout frame={p.frame} t={p.t} title={errs.length ? `${p.a.common.errorPrefix} ${p.title}` : p.title}>
      <ErrorSummary title={p.a.common.errorSummary} errors={errs} />
      {back && <p><a class="kern-link" href={back}>{p.a.common.back}</a></p>}
      <h1 class="kern-heading-x-large">{p.title}</h1>
      {p.notice && <Notice>{p.notice}</Notice>}
      {p.children}
    </Layout>
  );
}

/**
 * A table in a scrollable, focusable region (keyboard users can scroll it) with a caption. `numeric`
 * names the columns (by index) whose cells are right-aligned numbers, so their headings align too.
 */
export function Table({ id, caption, head, numeric = [], children }: { id: string; caption: string; head: string[]; numeric?: number[]; children: ComponentChildren }) {
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-labelledby={`${id}-caption`}>
      <table class="kern-table kern-table--small" id={id}>
        <caption id={`${id}-caption`}>{caption}</caption>
        <thead><tr>{head.map((h, i) => <th scope="col" class={numeric.includes(i) ? 'kern-table__header--numeric' : undefined}>{h}</th>)}</tr></thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export const ADMIN_SECTIONS = ['adminUsers', 'adminKeys', 'adminTenants', 'adminPolicy', 'adminDevices', 'adminAudit', 'adminOutbox', 'adminFeedback', 'adminProjects', 'kpiAdmin', 'editor', 'eventAdmin', 'reportAdmin', 'moderation'] as const;
/** The sections stewards use (the others need the operator role here). */
export const STEWARD_SECTIONS: readonly AdminSection[] = ['adminProjects', 'kpiAdmin', 'editor', 'eventAdmin'];
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

export function AdminHome(m: { frame: Frame; sections: AdminSection[] }, t: Messages, a: AdminMessages) {
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={a.admin.title} back={false}>
      <p class="lead">{a.admin.intro}</p>
      <nav aria-label={a.admin.sectionsNav}>
        <ul class="admin-sections">
          {m.sections.map((s) => (
            <li>
              <h2 class="kern-heading-small"><a class="kern-link" href={href(m.frame.lang, s)}>{a.admin.sections[s][0]}</a></h2>
              <p>{a.admin.sections[s][1]}</p>
            </li>
          ))}
        </ul>
      </nav>
    </AdminShell>
  );
}
