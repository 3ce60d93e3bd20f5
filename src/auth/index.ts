// The auth domain as other modules see it: the access model, the setup for an app, route config types.
export { setupAuth, loadPolicyFile, type Auth, type AuthSetupDeps } from './auth.setup.ts';
export { AccessPolicy, ROLES, OPS, ANONYMOUS, policyProblems, policyIssues, type PolicyIssue, type Op, type Policy, type Principal, type Role, type RoleGrant } from './access.model.ts';
export { type RouteAccess, type SessionAuth, opOf } from './auth.hook.ts';
export { problemJson } from './admin.routes.ts';
export type { AuditLog } from './audit.log.ts';
export type { ApiKeyService, KeyInfo } from './api-keys.service.ts';
export { parseMappedRole } from './oidc.verifier.ts';
export { RateLimiter, type Rate } from './rate-limit.ts';
export { PolicyService, InvalidPolicy, type PolicyView } from './policy.service.ts';
