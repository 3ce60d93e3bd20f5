// The URLs of the login, account and administration pages (German first, English under /en/),
// spread into the portal's one page table (paths.ts) so the language switch works for them too.
// The reset and forgot pages live under /konto because the accounts module's mails and redirects
// name those addresses.
export const ADMIN_PAGES = {
  login: { de: '/anmelden', en: '/en/login' },
  forgot: { de: '/konto/passwort-vergessen', en: '/en/account/forgot-password' },
  reset: { de: '/konto/passwort-zuruecksetzen', en: '/en/account/reset-password' },
  account: { de: '/konto', en: '/en/account' },
  admin: { de: '/verwaltung', en: '/en/admin' },
  adminUsers: { de: '/verwaltung/benutzer', en: '/en/admin/users' },
  adminUser: { de: '/verwaltung/benutzer/:id', en: '/en/admin/users/:id' },
  adminKeys: { de: '/verwaltung/api-schluessel', en: '/en/admin/api-keys' },
  adminTenants: { de: '/verwaltung/mandanten', en: '/en/admin/tenants' },
  adminTenant: { de: '/verwaltung/mandanten/:id', en: '/en/admin/tenants/:id' },
  adminPolicy: { de: '/verwaltung/richtlinie', en: '/en/admin/policy' },
  adminDevices: { de: '/verwaltung/geraete', en: '/en/admin/devices' },
  adminAudit: { de: '/verwaltung/protokoll', en: '/en/admin/audit' },
  adminOutbox: { de: '/verwaltung/postausgang', en: '/en/admin/outbox' },
  adminFeedback: { de: '/verwaltung/rueckmeldungen', en: '/en/admin/feedback' },
  adminProjects: { de: '/verwaltung/projekte', en: '/en/admin/projects' },
  adminProjectNew: { de: '/verwaltung/neues-projekt', en: '/en/admin/new-project' },
  adminProject: { de: '/verwaltung/projekte/:id', en: '/en/admin/projects/:id' },
  apiDocs: { de: '/entwickler/api', en: '/en/developers/api' },
} as const;
