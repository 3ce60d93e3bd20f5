// The one access model (docs/security.md): principals with roles, a policy of subjects per tenant
// and per entity type, and the decision "may this principal do this operation in this tenant".
import { TENANT_NAME } from '../core/tenant.ts';
import type { AccessGuard } from '../core/access.ts';

export const ROLES = ['operator', 'steward', 'moderator', 'citizen', 'anonymous'] as const;
export type Role = (typeof ROLES)[number];
/** What a route is: read/write entities, manage subscriptions, administer, or no platform auth at all. */
export type Op = 'read' | 'write' | 'subscriptions' | 'admin' | 'public';
export const OPS: readonly Op[] = ['read', 'write', 'subscriptions', 'admin', 'public'];

/** A role, possibly limited to some tenants (an API key's tenants, or "steward@stadtwerke" from OIDC). */
export interface RoleGrant {
  role: Role;
  tenants?: readonly string[];
}

export interface Principal {
  /** "key:<name>", "oidc:<subject>", "user:<id>" (a person's session, src/accounts) or "anonymous". */
  id: string;
  kind: 'anonymous' | 'apikey' | 'oidc' | 'user';
  roles: readonly RoleGrant[];
  /** An API key's own limits, on top of its roles. */
  scope?: { tenants?: readonly string[]; types?: readonly string[]; ops?: readonly string[] };
  /** Epoch ms after which the credential is no longer valid. */
  expiresAt?: number;
}

export const ANONYMOUS: Principal = Object.freeze<Principal>({ id: 'anonymous', kind: 'anonymous', roles: [{ role: 'anonymous' }] });

/** Subjects: "*", "authenticated", a role, "role@tenant", "key:<name>", "oidc:<subject>", "user:<id>". */
export interface TenantRules {
  read?: string[];
  write?: string[];
  subscriptions?: string[];
  /** Per entity type (short name or IRI): replaces the tenant's read/write list for entities of that type. */
  types?: Record<string, { read?: string[]; write?: string[] }>;
}

/** The policy file / admin API document. Tenant "" is the default tenant; "*" applies to every tenant. */
export interface Policy {
  tenants?: Record<string, TenantRules>;
}

/** Defaults (the issue's): reads of public tenants are open; every write needs a credential. */
export const BUILTIN_RULES: Required<Omit<TenantRules, 'types'>> = {
  read: ['*'],
  write: ['steward'],
  subscriptions: ['authenticated'],
};

const SUBJECT = /^(\*|authenticated|(operator|steward|moderator|citizen|anonymous)(@[A-Za-z0-9_-]{0,64})?|key:[A-Za-z0-9_.-]{1,64}|user:[A-Za-z0-9_-]{1,64}|oidc:.{1,256})$/;

/** One problem of a policy document, in English (the API's detail) and German (the page's field message). */
export interface PolicyIssue {
  message: string;
  de: string;
}

const SUBJECT_HELP = '*, authenticated, a role, role@tenant, key:<name>, oidc:<subject>, user:<id>';
const SUBJECT_HELP_DE = '*, authenticated, eine Rolle, Rolle@Mandant, key:<Name>, oidc:<Subjekt>, user:<ID>';

/** Checks a policy document; returns every problem with its German text (empty = valid). */
export function policyIssues(p: unknown): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  const add = (message: string, de: string) => { out.push({ message, de }); };
  if (!p || typeof p !== 'object' || Array.isArray(p)) return [{ message: 'the policy must be a JSON object', de: 'Die Richtlinie muss ein JSON-Objekt sein ({ "tenants": { … } }).' }];
  const extra = Object.keys(p).filter((k) => k !== 'tenants' && k !== '$comment');
  if (extra.length) add(`unknown member(s) ${extra.join(', ')}`, `Unbekannte Angabe(n) ${extra.join(', ')}; erlaubt sind nur „tenants“ und „$comment“.`);
  const tenants = (p as Policy).tenants;
  if (tenants === undefined) return out;
  if (!tenants || typeof tenants !== 'object' || Array.isArray(tenants)) return [...out, { message: 'tenants must be an object', de: '„tenants“ muss ein Objekt sein (Mandant → Regeln).' }];
  const list = (where: string, v: unknown) => {
    if (v === undefined) return;
    if (!Array.isArray(v)) { add(`${where} must be an array of subjects`, `${where} muss eine Liste von Subjekten sein (z. B. ["*"]).`); return; }
    for (const s of v) if (typeof s !== 'string' || !SUBJECT.test(s)) add(`${where}: "${String(s)}" is not a subject (${SUBJECT_HELP})`, `${where}: „${String(s)}“ ist kein Subjekt (erlaubt: ${SUBJECT_HELP_DE}).`);
  };
  for (const [t, r] of Object.entries(tenants)) {
    if (t !== '*' && t !== '' && !TENANT_NAME.test(t)) add(`tenant "${t}" is not a valid tenant name`, `„${t}“ ist kein gültiger Mandantenname (Buchstaben, Ziffern, _ und -, höchstens 64 Zeichen; "" für den Standardmandanten, "*" für alle).`);
    if (!r || typeof r !== 'object' || Array.isArray(r)) { add(`tenants["${t}"] must be an object`, `tenants["${t}"] muss ein Objekt sein.`); continue; }
    for (const k of Object.keys(r)) if (!['read', 'write', 'subscriptions', 'types', '$comment'].includes(k)) add(`tenants["${t}"]: unknown member ${k}`, `tenants["${t}"]: unbekannte Angabe „${k}“ (erlaubt: read, write, subscriptions, types).`);
    list(`tenants["${t}"].read`, r.read);
    list(`tenants["${t}"].write`, r.write);
    list(`tenants["${t}"].subscriptions`, r.subscriptions);
    if (r.types !== undefined) {
      if (!r.types || typeof r.types !== 'object' || Array.isArray(r.types)) { add(`tenants["${t}"].types must be an object`, `tenants["${t}"].types muss ein Objekt sein (Entitätstyp → Regeln).`); continue; }
      for (const [ty, tr] of Object.entries(r.types)) {
        if (!tr || typeof tr !== 'object') { add(`tenants["${t}"].types["${ty}"] must be an object`, `tenants["${t}"].types["${ty}"] muss ein Objekt sein.`); continue; }
        for (const k of Object.keys(tr)) if (k !== 'read' && k !== 'write') add(`tenants["${t}"].types["${ty}"]: unknown member ${k}`, `tenants["${t}"].types["${ty}"]: unbekannte Angabe „${k}“ (erlaubt: read, write).`);
        list(`tenants["${t}"].types["${ty}"].read`, tr.read);
        list(`tenants["${t}"].types["${ty}"].write`, tr.write);
      }
    }
  }
  return out;
}

/** Checks a policy document; returns every problem (empty = valid). */
export function policyProblems(p: unknown): string[] {
  return policyIssues(p).map((i) => i.message);
}

interface Compiled {
  read: string[];
  write: string[];
  subscriptions: string[];
  types: Map<string, { read?: string[]; write?: string[] }>;
}

export interface Decision {
  allowed: boolean;
  /** Present when access depends on entity types. */
  guard?: AccessGuard;
  /** Why not (for the 401/403 body). */
  reason?: string;
}

/** Whether the principal has the role in the tenant (a grant for all tenants, or for this one). */
export function hasRole(p: Principal, role: string, tenant: string): boolean {
  return p.roles.some((g) => g.role === role && (!g.tenants || g.tenants.includes(tenant)));
}

/** Whether a subject of the policy names this principal (in this tenant). */
export function matches(subject: string, p: Principal, tenant: string): boolean {
  if (subject === '*') return true;
  if (subject === 'authenticated') return p.kind !== 'anonymous';
  if (subject.startsWith('key:') || subject.startsWith('oidc:') || subject.startsWith('user:')) return p.id === subject;
  const at = subject.indexOf('@');
  if (at > 0) {
    const role = subject.slice(0, at);
    const t = subject.slice(at + 1);
    return p.roles.some((g) => g.role === role && g.tenants !== undefined && g.tenants.includes(t));
  }
  return hasRole(p, subject, tenant);
}

/** The policy, compiled per tenant, with decisions cached per principal object. */
export class AccessPolicy {
  private compiled = new Map<string, Compiled>();
  private cache = new WeakMap<Principal, Map<string, Decision>>();

  constructor(private doc: Policy, private readonly expandType: (name: string) => string) {}

  get document(): Policy { return this.doc; }

  replace(doc: Policy): void {
    this.doc = doc;
    this.compiled = new Map();
    this.cache = new WeakMap();
  }

  private rules(tenant: string): Compiled {
    let c = this.compiled.get(tenant);
    if (c) return c;
    const all = this.doc.tenants?.['*'] ?? {};
    const own = this.doc.tenants?.[tenant] ?? {};
    const types = new Map<string, { read?: string[]; write?: string[] }>();
    for (const src of [all.types, own.types]) {
      for (const [name, r] of Object.entries(src ?? {})) types.set(name.includes(':') ? name : this.expandType(name), r);
    }
    c = {
      read: own.read ?? all.read ?? BUILTIN_RULES.read,
      write: own.write ?? all.write ?? BUILTIN_RULES.write,
      subscriptions: own.subscriptions ?? all.subscriptions ?? BUILTIN_RULES.subscriptions,
      types,
    };
    if (this.compiled.size > 10_000) this.compiled.clear();
    this.compiled.set(tenant, c);
    return c;
  }

  decide(p: Principal, tenant: string, op: Op): Decision {
    let perP = this.cache.get(p);
    const k = `${op}\u0000${tenant}`;
    const hit = perP?.get(k);
    if (hit) return hit;
    const d = this.compute(p, tenant, op);
    if (!perP) this.cache.set(p, (perP = new Map()));
    if (perP.size < 1000) perP.set(k, d);
    return d;
  }

  private compute(p: Principal, tenant: string, op: Op): Decision {
    if (op === 'public') return { allowed: true };
    const sc = p.scope;
    if (sc?.tenants && !sc.tenants.includes(tenant)) return { allowed: false, reason: `${p.id} is limited to the tenant(s) ${sc.tenants.map((t) => `"${t}"`).join(', ')}` };
    if (sc?.ops && !sc.ops.includes(op)) return { allowed: false, reason: `${p.id} is limited to the operation(s) ${sc.ops.join(', ')}` };
    if (op === 'admin') {
      return p.roles.some((g) => g.role === 'operator' && !g.tenants) ? { allowed: true } : { allowed: false, reason: 'administration needs the operator role' };
    }
    const scopeTypes = sc?.types;
    if (hasRole(p, 'operator', tenant)) return { allowed: true, guard: scopeTypes ? typeGuard(p.id, () => true, () => true, { only: scopeTypes }, scopeTypes) : undefined };

    const r = this.rules(tenant);
    const m = (list: readonly string[]) => list.some((s) => matches(s, p, tenant));
    const readOk = m(r.read);
    const writeOk = m(r.write);
    const readAllowed: string[] = [];
    const readDenied: string[] = [];
    const writeAllowed: string[] = [];
    for (const [iri, tr] of r.types) {
      if (tr.read) (m(tr.read) ? readAllowed : readDenied).push(iri);
      if (tr.write && m(tr.write)) writeAllowed.push(iri);
    }
    const mayReadType = (t: string) => { const tr = r.types.get(t)?.read; return tr ? m(tr) : readOk; };
    const mayWriteType = (t: string) => { const tr = r.types.get(t)?.write; return tr ? m(tr) : writeOk; };
    let readTypes: { only?: readonly string[]; except?: readonly string[] } | undefined;
    if (!readOk) readTypes = { only: readAllowed };
    else if (readDenied.length) readTypes = { except: readDenied };
    if (scopeTypes) readTypes = { only: (readTypes?.only ?? scopeTypes).filter((t) => scopeTypes.includes(t) && !(readTypes?.except ?? []).includes(t)) };
    const typesMatter = r.types.size > 0 || scopeTypes !== undefined;
    const guard = typesMatter ? typeGuard(p.id, mayReadType, mayWriteType, readTypes, scopeTypes) : undefined;

    switch (op) {
      case 'read':
        if (readOk || readAllowed.length) return { allowed: true, guard };
        return { allowed: false, reason: `${p.id} may not read tenant "${tenant}"` };
      case 'write':
        if (writeOk || writeAllowed.length) return { allowed: true, guard };
        return { allowed: false, reason: `${p.id} may not write in tenant "${tenant}"` };
      case 'subscriptions':
        // Notifications carry entity data: subscribing needs unrestricted read access to the tenant.
        if (!m(r.subscriptions)) return { allowed: false, reason: `${p.id} may not manage subscriptions in tenant "${tenant}"` };
        if (!readOk || readTypes) return { allowed: false, reason: `${p.id} may not read every entity type of tenant "${tenant}", which subscriptions need` };
        return { allowed: true };
    }
  }
}

function typeGuard(who: string, mayReadType: (t: string) => boolean, mayWriteType: (t: string) => boolean,
  readTypes: AccessGuard['readTypes'], scopeTypes: readonly string[] | undefined): AccessGuard {
  const inScope = (types: readonly string[]) => !scopeTypes || types.every((t) => scopeTypes.includes(t));
  return {
    who,
    readTypes,
    mayRead: (types) => inScope(types) && types.every(mayReadType),
    mayWrite: (types) => inScope(types) && types.every(mayWriteType),
  };
}
