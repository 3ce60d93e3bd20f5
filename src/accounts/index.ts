// The accounts domain as other modules see it (the portal's login and admin pages use these).
export { Accounts, type AccountsDeps, type FormOutcome } from './accounts.setup.ts';
export { type ActiveSession, sessionPrincipal } from './sessions.service.ts';
export { type UserInfo, userInfo, emailProblem } from './users.service.ts';
export { CSRF_FIELD, CSRF_HEADER } from './csrf.ts';
export { readCookie, setCookie } from './cookies.ts';
