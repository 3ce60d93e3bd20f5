// The tenant names this broker accepts everywhere (NGSILD-Tenant, fiware-service, API keys' and
// roles' tenant lists, the tenants admin): 1–64 letters, digits, _ or -. "" is the default tenant.
export const TENANT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
