// The access policy: the rules in force per tenant as a table, the document as JSON in one form
// (the problems of the one validation at the field), and the reset to the file's policy.
import type { Messages } from '../../i18n/index.ts';
import type { AdminMessages } from '../../i18n/admin.index.ts';
import type { Frame } from '../../components/layout.tsx';
import type { Policy, PolicyView } from '../../../auth/index.ts';
import { href } from '../../paths.ts';
import { Csrf, Input, Submit, summary, type FormState } from '../forms.tsx';
import { AdminShell, Table } from './shell.tsx';

export interface PolicyModel {
  frame: Frame;
  csrf: string;
  view: PolicyView;
  /** The JSON in the text area: what was typed after an error, else the policy in force. */
  form: FormState<'policy'>;
  notice?: string;
}

function Subjects({ list, a }: { list: string[] | undefined; a: AdminMessages }) {
  if (!list) return <>{a.policy.inherited}</>;
  if (list.length === 0) return <>{a.common.none}</>;
  return <>{list.map((s, i) => <>{i > 0 && ', '}<code>{s}</code></>)}</>;
}

export function PolicyPage(m: PolicyModel, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  const self = href(l, 'adminPolicy');
  const p = a.policy;
  const tenants = Object.entries((m.view.policy as Policy).tenants ?? {});
  const name = (x: string) => (x === '*' ? p.allTenants : x === '' ? p.defaultTenant : x);
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={p.title} notice={m.notice} errors={summary('policy', ['policy'] as const, m.form.errors)}>
      <p class="lead">{p.intro}</p>
      <p>{m.view.source === 'file' ? p.sourceFile : p.sourceStored}</p>
      <Table id="policy-rules" caption={p.caption} head={[p.tenant, p.read, p.write, p.subscriptions, p.types]}>
        {tenants.map(([tenant, r]) => (
          <tr>
            <th scope="row">{name(tenant)}</th>
            <td><Subjects list={r.read} a={a} /></td>
            <td><Subjects list={r.write} a={a} /></td>
            <td><Subjects list={r.subscriptions} a={a} /></td>
            <td>{r.types && Object.keys(r.types).length ? (
              <ul class="kern-list">{Object.entries(r.types).map(([ty, tr]) => (
                <li><code>{ty}</code>: {p.read} <Subjects list={tr.read} a={a} />; {p.write} <Subjects list={tr.write} a={a} /></li>
              ))}</ul>
            ) : '–'}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">{p.defaults}</th>
          <td><Subjects list={m.view.defaults.read} a={a} /></td>
          <td><Subjects list={m.view.defaults.write} a={a} /></td>
          <td><Subjects list={m.view.defaults.subscriptions} a={a} /></td>
          <td>–</td>
        </tr>
      </Table>
      <section aria-labelledby="richtlinie-aendern">
        <h2 class="kern-heading-large" id="richtlinie-aendern">{p.editHeading}</h2>
        <form class="portal-form" method="post" action={self} novalidate>
          <Csrf token={m.csrf} />
          <input type="hidden" name="action" value="save" />
          <Input a={a} id="policy-policy" name="policy" type="textarea" rows={16} label={p.field} hint={p.hint} required autocomplete="off"
            value={m.form.values.policy} error={m.form.errors.policy} />
          <Submit label={p.save} />
        </form>
      </section>
      {m.view.source === 'admin-api' && (
        <section aria-labelledby="richtlinie-zuruecksetzen">
          <h2 class="kern-heading-large" id="richtlinie-zuruecksetzen">{p.resetHeading}</h2>
          <p id="policy-reset-hint">{p.resetText}</p>
          <form method="post" action={self}>
            <Csrf token={m.csrf} />
            <input type="hidden" name="action" value="reset" />
            <button class="kern-btn kern-btn--secondary" type="submit" aria-describedby="policy-reset-hint"><span class="kern-label">{p.reset}</span></button>
          </form>
        </section>
      )}
    </AdminShell>
  );
}
