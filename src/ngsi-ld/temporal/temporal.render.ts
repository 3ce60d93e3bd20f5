// Temporal representations of an entity: normalized (clause 4.5.7, arrays of instances with
// instanceId), simplified "temporalValues" (4.5.8, [value, time] pairs) and aggregated (4.5.19,
// [value, startAt, endAt] per method). Instances are rendered by the core renderer.
import type { AttrInstance } from '../../storage/port.ts';
import type { Terms } from '../context/term-map.ts';
import { renderEntity, type Rendered, type RenderOptions } from '../entities/entity.render.ts';
import type { EntityResult, SeriesResult } from './temporal.service.ts';
import type { TemporalQuery } from './temporal.params.ts';

const VALUES_KEY: Record<string, string> = {
  Property: 'values', GeoProperty: 'values', Relationship: 'objects', LanguageProperty: 'languageMaps',
  VocabProperty: 'vocabs', ListProperty: 'valueLists', ListRelationship: 'objectLists', JsonProperty: 'jsons',
};
const VALUE_MEMBER: Record<string, string> = {
  Property: 'value', GeoProperty: 'value', Relationship: 'object', LanguageProperty: 'languageMap',
  VocabProperty: 'vocab', ListProperty: 'valueList', ListRelationship: 'objectList', JsonProperty: 'json',
};

const iso = (ms: number) => new Date(ms).toISOString();

export interface TemporalRenderOptions {
  sysAttrs: boolean;
  lang?: string[];
  /** pick / omit of entity members (clause 4.21): 'id', 'type', 'scope' besides attribute IRIs. */
  keep?: Set<string>;
  omit?: Set<string>;
}

function renderOne(iri: string, inst: AttrInstance, terms: Terms, o: RenderOptions): unknown {
  const out = renderEntity({ id: '', types: [], createdAt: '', modifiedAt: '', attrs: { [iri]: [inst] } }, terms, o);
  return out[terms.compactAttr(iri)];
}

function plainValue(inst: AttrInstance, terms: Terms): unknown {
  const v = inst[VALUE_MEMBER[inst.type] ?? 'value'];
  if (inst.type === 'VocabProperty' && typeof v === 'string') return terms.compactType(v);
  if (inst.type === 'VocabProperty' && Array.isArray(v)) return v.map((x) => terms.compactType(String(x)));
  return v;
}

/** One series in the simplified or aggregated form; the datasetId tells series of one attribute apart. */
function renderSeriesValues(s: SeriesResult, q: TemporalQuery, terms: Terms): Rendered {
  const out: Rendered = { type: s.type };
  if (q.format === 'aggregatedValues') {
    for (const m of q.aggr!.methods) out[m] = (s.aggregates ?? []).map((a) => [a.values[m] ?? null, iso(a.start), iso(a.end)]);
  } else {
    out[VALUES_KEY[s.type] ?? 'values'] = (s.instances ?? []).map((i) => [plainValue(i.instance, terms), iso(i.time)]);
  }
  if (s.series.datasetId !== undefined) out.datasetId = s.series.datasetId;
  return out;
}

export function renderTemporalEntity(r: EntityResult, q: TemporalQuery, terms: Terms, o: TemporalRenderOptions): Rendered {
  const types = r.entity.types.map((t) => terms.compactType(t));
  const member = (k: string) => (!o.keep || o.keep.has(k)) && !o.omit?.has(k);
  const out: Rendered = {};
  if (member('id')) out.id = r.entity.id;
  if (member('type')) out.type = types.length === 1 ? types[0] : types;
  if (o.sysAttrs) {
    out.createdAt = r.entity.createdAt;
    if (r.entity.deletedAt) out.deletedAt = r.entity.deletedAt;
  }
  const ro: RenderOptions = { format: 'normalized', sysAttrs: o.sysAttrs, lang: o.lang };
  const byAttr = new Map<string, SeriesResult[]>();
  for (const s of r.series) {
    const list = byAttr.get(s.series.attr) ?? [];
    list.push(s);
    byAttr.set(s.series.attr, list);
  }
  for (const [iri, list] of byAttr) {
    const name = terms.compactAttr(iri);
    if (q.format === 'normalized') {
      // clause 4.5.7: an attribute is the array of its instances (of every datasetId).
      const all = list.flatMap((s) => (s.instances ?? []).map((i) => renderOne(iri, i.instance, terms, ro)));
      if (all.length) out[name] = all;
    } else {
      const rendered = list.filter((s) => (q.format === 'aggregatedValues' ? s.aggregates?.length : s.instances?.length)).map((s) => renderSeriesValues(s, q, terms));
      if (rendered.length) out[name] = rendered.length === 1 ? rendered[0] : rendered;
    }
  }
  return out;
}

/** RFC 4180 CSV field. */
export function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
