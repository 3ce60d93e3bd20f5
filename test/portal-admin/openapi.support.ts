// Holds real answers against the OpenAPI document: the operation is found by its path template, the
// answer's status must be described, its media type must be one described for that status, and a
// JSON body must validate against the described JSON Schema (Ajv, draft 2020-12, refs resolved in
// the document itself). Problems are collected, so one test run lists every mismatch.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, Record<string, unknown>> }>>; components: Record<string, Record<string, Record<string, unknown>>> };

const pointer = (...segs: string[]) => segs.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

export class AnswerChecker {
  readonly problems: string[] = [];
  /** "METHOD template" of every operation an answer was checked for. */
  readonly seen = new Set<string>();
  /** Successful JSON answers whose operation describes no content for their status ("METHOD template → status"). */
  readonly undescribed: string[] = [];
  private readonly ajv: Ajv2020;
  private readonly templates: Array<{ template: string; re: RegExp; params: number }>;

  constructor(private readonly doc: Doc) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.ajv);
    this.ajv.addSchema(doc as object, 'openapi.json');
    this.templates = Object.keys(doc.paths).map((template) => ({
      template,
      re: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      params: (template.match(/\{/g) ?? []).length,
    })).sort((a, b) => a.params - b.params);
  }

  /** Every schema in the document (components and inline) against the JSON Schema 2020-12 meta-schema. */
  schemaProblems(): string[] {
    const out: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'schema' && v && typeof v === 'object' && !this.ajv.validateSchema(v as object)) out.push(`${at}/schema: ${this.ajv.errorsText(this.ajv.errors)}`);
        else walk(v, `${at}/${k}`);
      }
    };
    walk(this.doc.paths, '#/paths');
    walk(this.doc.components.responses, '#/components/responses');
    for (const [name, s] of Object.entries(this.doc.components.schemas)) {
      if (!this.ajv.validateSchema(s)) out.push(`#/components/schemas/${name}: ${this.ajv.errorsText(this.ajv.errors)}`);
      // Compiling resolves every $ref and every pattern.
      try { this.ajv.getSchema(`openapi.json#/components/schemas/${name}`); } catch (e) { out.push(`#/components/schemas/${name}: ${(e as Error).message}`); }
    }
    return out;
  }

  check(method: string, url: string, res: LightMyRequestResponse): void {
    const path = url.split('?')[0];
    const t = this.templates.find((x) => x.re.test(path) && this.doc.paths[x.template][method.toLowerCase()]);
    const what = `${method} ${url} → ${res.statusCode}`;
    if (!t) { this.problems.push(`${what}: no operation described`); return; }
    this.seen.add(`${method} ${t.template}`);
    let base = ['paths', t.template, method.toLowerCase(), 'responses', String(res.statusCode)];
    let response = this.doc.paths[t.template][method.toLowerCase()].responses[String(res.statusCode)];
    if (!response) { this.problems.push(`${what}: status not described (${Object.keys(this.doc.paths[t.template][method.toLowerCase()].responses).join(', ')})`); return; }
    if (typeof response.$ref === 'string') {
      const name = response.$ref.split('/').pop()!;
      response = this.doc.components.responses[name];
      base = ['components', 'responses', name];
    }
    const content = response.content as Record<string, { schema?: unknown }> | undefined;
    if (!content && res.statusCode >= 200 && res.statusCode < 300 && /json/.test(String(res.headers['content-type'] ?? '')) && res.body.length > 0) this.undescribed.push(`${method} ${t.template} → ${res.statusCode}`);
    // An answer without a body (an entity created without Prefer: return=representation) has no media type to check.
    if (!content || res.statusCode === 204 || res.statusCode === 303 || res.statusCode === 302 || res.body.length === 0) return;
    const type = String(res.headers['content-type'] ?? '').split(';')[0].trim();
    const key = type in content ? type : '*/*' in content ? '*/*' : undefined;
    if (!key) { this.problems.push(`${what}: media type ${type} not described (${Object.keys(content).join(', ')})`); return; }
    if (!/json$/.test(key) || !content[key].schema) return;
    const validate = this.ajv.getSchema(`openapi.json#/${pointer(...base, 'content', key, 'schema')}`);
    if (!validate) { this.problems.push(`${what}: schema not found`); return; }
    if (!validate(res.json())) this.problems.push(`${what}: ${this.ajv.errorsText(validate.errors, { dataVar: 'answer' })} — ${res.body.slice(0, 300)}`);
  }
}
