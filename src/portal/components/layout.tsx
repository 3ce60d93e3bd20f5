// The one page frame: skip link, landmarks (header, nav, main, footer), the language switch and
// the legal links. Every page renders inside it.
import type { ComponentChildren } from 'preact';
import type { Messages } from '../i18n/index.ts';
import { href, type Here, type Lang, type PageName } from '../paths.ts';
import { AccountNav, type FrameAccount } from '../admin/account-nav.tsx';

/** What the frame needs from the request (set by the page renderer, not by pages). */
export interface Frame {
  lang: Lang;
  here: Here;
  nonce: string;
  asset(logical: string): string;
  /** Whether the installation shows simulated demo data (a footer note says so). */
  demo: boolean;
  /** Who is logged in (the header then shows the account menu and a logout button). */
  account?: FrameAccount;
}

export interface LayoutProps {
  frame: Frame;
  t: Messages;
  title: string;
  /** Extra stylesheets and scripts (logical asset names), e.g. the map's. */
  styles?: string[];
  scripts?: string[];
  children: ComponentChildren;
}

const NAV: Array<{ page: PageName; key: 'home' | 'strategy' | 'live' | 'catalogue' | 'reports' | 'participation' | 'developers' }> = [
  { page: 'home', key: 'home' },
  { page: 'strategy', key: 'strategy' },
  { page: 'live', key: 'live' },
  { page: 'catalogue', key: 'catalogue' },
  { page: 'reports', key: 'reports' },
  { page: 'participation', key: 'participation' },
  // The login / account entries follow the list (AccountNav).
  { page: 'developers', key: 'developers' },
];

function current(frame: Frame, page: PageName): boolean {
  const p = frame.here.page;
  if (page === 'strategy') return p === 'strategy' || p === 'field' || p === 'project';
  if (page === 'catalogue') return p === 'catalogue' || p === 'dataset';
  if (page === 'reports') return p.startsWith('report');
  if (page === 'participation') return ['participation', 'process', 'newProposal', 'budget', 'proposal', 'editProposal', 'register', 'confirm', 'participationLogin', 'myData', 'survey', 'surveyResults', 'events', 'event'].includes(p);
  if (page === 'live') return p === 'live' || p === 'sensor';
  return p === page;
}

export function Layout({ frame, t, title, styles = [], scripts = [], children }: LayoutProps) {
  const other: Lang = frame.lang === 'de' ? 'en' : 'de';
  return (
    <html lang={frame.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} – ${t.site.name}`}</title>
        <link rel="stylesheet" href={frame.asset('kern.css')} />
        <link rel="stylesheet" href={frame.asset('fonts.css')} />
        {styles.map((s) => <link rel="stylesheet" href={frame.asset(s)} />)}
        <link rel="stylesheet" href={frame.asset('theme.css')} />
        <link rel="alternate" hreflang={other} href={href(other, frame.here.page, frame.here.id)} />
      </head>
      <body class="kern-body">
        <a class="skip-link" href="#inhalt">{t.layout.skip}</a>
        <header class="site-header">
          <div class="portal-wrap">
            <div class="site-header__top">
              <a class="site-brand" href={href(frame.lang, 'home')}>
                {t.site.name}
                <span>{t.site.tagline}</span>
              </a>
              <a class="site-lang" href={href(other, frame.here.page, frame.here.id)} hreflang={other} lang={other} aria-label={t.layout.otherLangLabel}>
                {t.layout.otherLang}
              </a>
            </div>
            <nav class="site-nav" aria-label={t.layout.mainNav}>
              <ul>
                {NAV.map((n) => (
                  <li><a href={href(frame.lang, n.page)} aria-current={current(frame, n.page) ? 'page' : undefined}>{t.nav[n.key]}</a></li>
                ))}
                <AccountNav frame={frame} />
              </ul>
            </nav>
          </div>
        </header>
        <main id="inhalt" tabindex={-1}>
          <div class="portal-wrap">{children}</div>
        </main>
        <footer class="site-footer">
          <div class="portal-wrap">
            <nav aria-label={t.layout.footerNav}>
              <ul>
                <li><a class="kern-link" href={href(frame.lang, 'easy')}>{t.nav.easy}</a></li>
                <li><a class="kern-link" href={href(frame.lang, 'imprint')}>{t.nav.imprint}</a></li>
                <li><a class="kern-link" href={href(frame.lang, 'privacy')}>{t.nav.privacy}</a></li>
                <li><a class="kern-link" href={href(frame.lang, 'accessibility')}>{t.nav.accessibility}</a></li>
                <li>
                  <a class="kern-link" href={`${href(frame.lang, 'language')}?returnTo=${encodeURIComponent(href(frame.lang, frame.here.page, frame.here.id))}`}>
                    {t.language.link} / <span lang={other}>{t.language.linkOther}</span>
                  </a>
                </li>
              </ul>
            </nav>
            {frame.demo && <p class="kern-body--small">{t.layout.demoNote}</p>}
            <p class="kern-body--small">{t.layout.poweredBy}</p>
          </div>
        </footer>
        {scripts.map((s) => <script src={frame.asset(s)} nonce={frame.nonce} defer />)}
      </body>
    </html>
  );
}
