// The staff JSON API under /api/reports (problem+json errors): a moderator, steward or operator
// changes a report (status, reason, answer, department, photo release); stewards and operators
// replace the category list. Reading the public record is open; the reporter's contact never leaves.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from '../core/errors.ts';
import { ReportProblem, type ReportService, type StaffChange } from './reports.service.ts';
import { problemJson } from '../core/http.ts';

export interface ReportRouteDeps {
  service: ReportService;
  authEnabled: boolean;
}

const open = { config: { access: { op: 'public' as const } } };
// Staff routes: the auth hook resolves the principal (API key, bearer token or session) as for a
// read of the default tenant; the route then insists on a staff role (moderators hold no tenant
// write grant by default, and need none: reports are not written through NGSI-LD by them).
const write = { config: { access: { op: 'read' as const } } };
const STAFF = ['moderator', 'steward', 'operator'];

const problem = problemJson;

/** Whether the request's principal has one of the roles (always true with access control off). */
export function hasStaffRole(req: FastifyRequest, authEnabled: boolean, roles: readonly string[] = STAFF): boolean {
  if (!authEnabled) return true;
  return (req.principal?.roles ?? []).some((g) => roles.includes(g.role));
}

export async function reportRoutes(app: FastifyInstance, d: ReportRouteDeps): Promise<void> {
  app.setErrorHandler(problem);
  app.setNotFoundHandler((req, reply) => problem(new ProblemError('https://drehscheibe.dev/errors/NotFound', 404, 'Not found', `No reports operation at ${req.method} ${req.url.split('?')[0]}`), req, reply));
  const s = d.service;
  const must = (req: FastifyRequest, roles: readonly string[], what: string) => {
    if (d.authEnabled && (!req.principal || req.principal.kind === 'anonymous')) throw new ProblemError('https://drehscheibe.dev/errors/Unauthorized', 401, 'Authentication is required or has failed', `${what} needs a credential (API key or a staff login)`);
    if (!hasStaffRole(req, d.authEnabled, roles)) throw new ReportProblem('Forbidden', 403, 'Forbidden', `${what} needs the ${roles.join(', ')} role`);
  };

  app.get('/categories', open, async () => s.categories());
  app.put('/categories', write, async (req) => {
    must(req, ['steward', 'operator'], 'Replacing the categories');
    req.auditTarget = 'reports:categories';
    return s.setCategories(req.body);
  });
  app.get('/:id', open, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const [r, history] = await Promise.all([s.get(req.params.id), s.history(req.params.id)]);
    return { ...r, source: undefined, history: history.map((h) => ({ at: h.at, status: h.status, ...(h.note ? { note: h.note } : {}) })) };
  });
  app.patch('/:id', write, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    must(req, STAFF, 'Changing a report');
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
    const change: StaffChange = { status: str('status') as StaffChange['status'], note: str('note'), answer: str('answer'), department: str('department'), photo: str('photo') as StaffChange['photo'] };
    if (change.photo !== undefined && change.photo !== 'released' && change.photo !== 'rejected') throw new ReportProblem('BadRequest', 400, 'Invalid change', 'photo must be released or rejected');
    req.auditTarget = `report:${req.params.id}`;
    return s.change(req.params.id, change, req.principal?.id ?? 'auth-off', str('expectedUpdatedAt'));
  });
}
