// The verification page of a process: what the process asks for, the person's form (no JavaScript
// needed, CSRF like every form) and, for stewards, the setting and the invitation codes (CSV, once).
import type { ProcessView } from '../../participation/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import type { Messages } from '../i18n/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href } from '../paths.ts';
import { Button, Csrf, ErrorList, Notice, PField } from './components.tsx';
import type { Viewer } from './pages.tsx';

const L = (frame: Frame, x: { de: string; en: string }) => x[frame.lang] || x.de;

export interface VerificationModel {
  frame: Frame;
  viewer: Viewer;
  view: ProcessView;
  /** The plug-in the process requires (its field's texts), absent: none. */
  plugin?: { name: string; label: { de: string; en: string }; hint: { de: string; en: string } };
  verified: boolean;
  /** The plug-ins a steward may choose (besides none). */
  methods: string[];
  codes?: { codes: number; redeemed: number };
  errors: Record<string, string>;
  values: Record<string, string>;
  notice?: string;
}

export function VerificationPage(x: VerificationModel, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const p = x.view.process;
  const v = m.verification;
  const title = v.title(L(x.frame, p.title));
  const action = `${href(lang, 'process', p.slug)}/nachweis`;
  const errs = Object.entries(x.errors).map(([field, message]) => ({ field, message }));
  return (
    <Layout frame={x.frame} t={t} title={errs.length ? `${m.errors.prefix} ${title}` : title}>
      <ErrorList title={m.errors.summary} errors={errs} />
      <p><a class="kern-link" href={href(lang, 'process', p.slug)}>{v.back(L(x.frame, p.title))}</a></p>
      <h1 class="kern-heading-x-large">{title}</h1>
      {x.notice && <Notice kind="success">{x.notice}</Notice>}
      {!x.plugin ? <p>{v.none}</p> : (
        <>
          <p>{v.intro}</p>
          {x.verified ? <Notice kind="success">{v.done}</Notice> : !x.viewer.person ? (
            <p><a class="kern-link" href={`${href(lang, 'login')}?returnTo=${encodeURIComponent(action)}`}>{v.login}</a></p>
          ) : (
            <form method="post" action={action} novalidate>
              <Csrf token={x.viewer.csrf} />
              <PField id="code" name="code" label={L(x.frame, x.plugin.label)} hint={L(x.frame, x.plugin.hint)} error={x.errors.code} value={x.values.code ?? ''}
                required autocomplete={x.plugin.name === 'postal-code' ? 'postal-code' : 'off'} inputmode={x.plugin.name === 'postal-code' ? 'numeric' : undefined} maxLength={100} errorPrefix={m.errors.prefix} />
              <Button>{v.submit}</Button>
            </form>
          )}
        </>
      )}
      {x.viewer.steward && (
        <section aria-labelledby="redaktion">
          <h2 class="kern-heading-large" id="redaktion">{v.stewardTitle}</h2>
          <form method="post" action={`${action}/einstellung`} novalidate>
            <Csrf token={x.viewer.csrf} />
            <PField id="verification" name="verification" type="select" label={v.mode} hint={v.modeHint} error={x.errors.verification} value={p.verification ?? 'none'}
              options={['none', ...x.methods].map((name) => ({ value: name, label: v.modes[name] ?? name }))} errorPrefix={m.errors.prefix} />
            <Button secondary>{v.saveMode}</Button>
          </form>
          {p.verification === 'invitation-code' && x.codes && (
            <>
              <h3 class="kern-heading-medium">{v.codesTitle}</h3>
              <p>{v.codesCount(x.codes.codes, x.codes.redeemed)}</p>
              <form method="post" action={`${action}/codes`} novalidate>
                <Csrf token={x.viewer.csrf} />
                <PField id="count" name="count" label={v.count} hint={v.countHint} error={x.errors.count} value={x.values.count ?? '100'} inputmode="numeric" required errorPrefix={m.errors.prefix} />
                <Button secondary>{v.makeCodes}</Button>
              </form>
            </>
          )}
        </section>
      )}
    </Layout>
  );
}
