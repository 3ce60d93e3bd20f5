// The header's account entries: "Anmelden" for guests; for a logged-in person their account, the
// administration (staff) and a logout button (a form posting to /konto/abmelden with the CSRF token).
import { ADMIN_CATALOGS } from '../i18n/admin.index.ts';
import { href, type Here, type Lang } from '../paths.ts';

export interface FrameAccount {
  name: string;
  /** The session's CSRF token for the logout form. */
  csrf: string;
  /** Whether the person has a role that sees the administration (operator or steward). */
  staff: boolean;
}

export function AccountNav({ frame }: { frame: { lang: Lang; here: Here; account?: FrameAccount } }) {
  const a = ADMIN_CATALOGS[frame.lang];
  const p = frame.here.page;
  const acc = frame.account;
  if (!acc) {
    return <li><a href={href(frame.lang, 'login')} aria-current={p === 'login' ? 'page' : undefined}>{a.nav.login}</a></li>;
  }
  return (
    <>
      <li><a href={href(frame.lang, 'account')} aria-current={p === 'account' ? 'page' : undefined} title={a.nav.userMenu(acc.name)}>{a.nav.account}</a></li>
      {acc.staff && <li><a href={href(frame.lang, 'admin')} aria-current={p.startsWith('admin') ? 'page' : undefined}>{a.nav.admin}</a></li>}
      <li>
        <form class="site-nav__logout" method="post" action="/konto/abmelden">
          <input type="hidden" name="_csrf" value={acc.csrf} />
          <input type="hidden" name="_lang" value={frame.lang} />
          <button type="submit">{a.nav.logout}</button>
        </form>
      </li>
    </>
  );
}
