// Validation of KPI definitions (API and the steward's form: the same rules). The selection's q,
// type and geo-query go through the real NGSI-LD parsers, so a problem names the part that is wrong
// and the parser's own reason. Each problem carries an English message (API) and a German one (forms).
import { ProblemError } from '../core/errors.ts';
import { parseQ } from '../ngsi-ld/query/q.parser.ts';
import { parseTypeExpression } from '../ngsi-ld/query/type.parser.ts';
import { parseGeoQuery } from '../ngsi-ld/geo/geo.query.ts';
import { KPI_AGGREGATIONS, KPI_PERIODS, KPI_REDUCTIONS, type KpiAggregation, type KpiInput, type KpiPeriod, type KpiReduction } from './kpi.model.ts';
import type { Text2 } from './strategy.model.ts';
import { SLUG, type Problem } from './strategy.validate.ts';

export interface KpiProblem extends Problem {
  /** The same problem in German, for the form next to the field. */
  de: string;
}

const TENANT = /^[A-Za-z0-9_-]{0,64}$/;
const ATTR = /^[A-Za-z][A-Za-z0-9_:.\/#-]{0,255}$/;
const KNOWN = new Set(['id', 'name', 'description', 'unit', 'project', 'published', 'selection', 'value', 'reduction']);
export const KPI_LIMITS = { name: 200, description: 2000, unit: 20, q: 2000, hours: 24 * 366 };

function parserReason(e: unknown): string {
  if (e instanceof ProblemError) return e.detail;
  throw e;
}

function text2(v: unknown, field: string, max: number, problems: KpiProblem[], required: boolean): Text2 {
  const out: Text2 = { de: '', en: '' };
  if (v === undefined && !required) return out;
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    problems.push({ field: `${field}.de`, message: `${field} must be an object { de, en } of strings`, de: 'Bitte einen Text eingeben.' });
    return out;
  }
  const o = v as Record<string, unknown>;
  for (const lang of ['de', 'en'] as const) {
    const s = o[lang];
    if (s === undefined) continue;
    if (typeof s !== 'string') { problems.push({ field: `${field}.${lang}`, message: `${field}.${lang} must be a string`, de: 'Bitte einen Text eingeben.' }); continue; }
    if (s.length > max) problems.push({ field: `${field}.${lang}`, message: `${field}.${lang} has ${s.length} characters; the limit is ${max}`, de: `Der Text ist ${s.length} Zeichen lang; erlaubt sind höchstens ${max}.` });
    out[lang] = s.trim();
  }
  if (required && out.de === '') problems.push({ field: `${field}.de`, message: `${field}.de (German) is required`, de: 'Bitte einen deutschen Namen eingeben.' });
  return out;
}

/** Checks a q expression with the NGSI-LD parser; the problem names the field and the parser's reason. */
function checkQ(q: string, field: string, problems: KpiProblem[]): void {
  if (q.length > KPI_LIMITS.q) { problems.push({ field, message: `${field} is longer than ${KPI_LIMITS.q} characters`, de: `Die Abfrage ist länger als ${KPI_LIMITS.q} Zeichen.` }); return; }
  try {
    parseQ(q);
  } catch (e) {
    const reason = parserReason(e);
    problems.push({ field, message: `${field}: ${reason}`, de: `Die Abfrage (q) ist ungültig: ${reason}` });
  }
}

/** Checks a KPI body; `id` comes from the URL on updates. Returns the input or every problem. */
export function parseKpi(body: unknown, idFromUrl?: string): { input?: KpiInput; problems: KpiProblem[] } {
  const problems: KpiProblem[] = [];
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { problems: [{ field: '', message: 'The body must be a JSON object', de: 'Die Angaben fehlen.' }] };
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!KNOWN.has(k)) problems.push({ field: k, message: `unknown member ${k}; known: ${[...KNOWN].join(', ')}`, de: `Unbekannte Angabe ${k}.` });
  const id = idFromUrl ?? b.id;
  if (idFromUrl !== undefined && b.id !== undefined && b.id !== idFromUrl) problems.push({ field: 'id', message: 'id cannot be changed (it is the KPI\'s address)', de: 'Die Kennung kann nicht geändert werden.' });
  if (typeof id !== 'string' || !SLUG.test(id)) problems.push({ field: 'id', message: 'id must be 1-64 lower-case letters, digits and hyphens (e.g. wlan-online)', de: 'Die Kennung besteht aus 1 bis 64 Kleinbuchstaben, Ziffern und Bindestrichen (z. B. wlan-online).' });
  const name = text2(b.name, 'name', KPI_LIMITS.name, problems, true);
  const description = text2(b.description, 'description', KPI_LIMITS.description, problems, false);
  const unit = b.unit === undefined ? '' : b.unit;
  if (typeof unit !== 'string' || unit.length > KPI_LIMITS.unit) problems.push({ field: 'unit', message: `unit must be a string of at most ${KPI_LIMITS.unit} characters`, de: `Die Einheit hat höchstens ${KPI_LIMITS.unit} Zeichen.` });
  if (b.project !== undefined && b.project !== '' && (typeof b.project !== 'string' || !SLUG.test(b.project))) problems.push({ field: 'project', message: 'project must name a project (its slug)', de: 'Bitte ein Projekt wählen.' });
  if (b.published !== undefined && typeof b.published !== 'boolean') problems.push({ field: 'published', message: 'published must be true or false', de: 'Bitte angeben, ob die Kennzahl veröffentlicht ist.' });

  // (1) The selection.
  const sel = (b.selection && typeof b.selection === 'object' && !Array.isArray(b.selection) ? b.selection : undefined) as Record<string, unknown> | undefined;
  if (!sel) problems.push({ field: 'selection.type', message: 'selection must be an object { tenant, type, q?, geo? }', de: 'Bitte einen Entitätstyp angeben.' });
  const tenant = sel?.tenant ?? '';
  if (typeof tenant !== 'string' || !TENANT.test(tenant)) problems.push({ field: 'selection.tenant', message: 'selection.tenant must be a tenant name (letters, digits, _ or -; empty = default tenant)', de: 'Der Mandant besteht aus Buchstaben, Ziffern, _ oder - (leer: Standardmandant).' });
  const type = sel?.type;
  if (sel) {
    if (typeof type !== 'string' || type.trim() === '') problems.push({ field: 'selection.type', message: 'selection.type is required (an entity type such as AirQualityObserved)', de: 'Bitte einen Entitätstyp angeben (z. B. AirQualityObserved).' });
    else {
      try {
        const t = parseTypeExpression(type);
        if (t.kind !== 'type') problems.push({ field: 'selection.type', message: 'selection.type must be one entity type, not an expression with , | ; or ()', de: 'Bitte genau einen Entitätstyp angeben, keinen Ausdruck.' });
      } catch (e) {
        const reason = parserReason(e);
        problems.push({ field: 'selection.type', message: `selection.type: ${reason}`, de: `Der Entitätstyp ist ungültig: ${reason}` });
      }
    }
  }
  let q: string | undefined;
  if (sel?.q !== undefined && sel.q !== '') {
    if (typeof sel.q !== 'string') problems.push({ field: 'selection.q', message: 'selection.q must be a string', de: 'Die Abfrage (q) muss Text sein.' });
    else { q = sel.q.trim(); checkQ(q, 'selection.q', problems); }
  }
  let geo: KpiInput['selection']['geo'];
  if (sel?.geo !== undefined && sel.geo !== null) {
    const g = sel.geo as Record<string, unknown>;
    if (typeof g !== 'object' || typeof g.georel !== 'string' || typeof g.geometry !== 'string' || typeof g.coordinates !== 'string') {
      problems.push({ field: 'selection.geo', message: 'selection.geo must be { georel, geometry, coordinates } as strings (clause 4.10)', de: 'Der Geo-Filter braucht georel, geometry und coordinates.' });
    } else {
      try {
        parseGeoQuery({ georel: g.georel, geometry: g.geometry, coordinates: g.coordinates });
        geo = { georel: g.georel, geometry: g.geometry, coordinates: g.coordinates };
      } catch (e) {
        const reason = parserReason(e);
        problems.push({ field: 'selection.geo', message: `selection.geo: ${reason}`, de: `Der Geo-Filter ist ungültig: ${reason}` });
      }
    }
  }

  // (3) The reduction (read first: it decides whether (2) needs an attribute).
  const red = (b.reduction && typeof b.reduction === 'object' && !Array.isArray(b.reduction) ? b.reduction : {}) as Record<string, unknown>;
  const kind = red.kind as KpiReduction;
  if (!KPI_REDUCTIONS.includes(kind)) problems.push({ field: 'reduction.kind', message: `reduction.kind must be one of ${KPI_REDUCTIONS.join(', ')}`, de: 'Bitte eine Berechnung wählen (Anzahl, Summe, Mittelwert, Minimum, Maximum oder Anteil).' });
  let shareQ: string | undefined;
  if (kind === 'share') {
    if (typeof red.q !== 'string' || red.q.trim() === '') problems.push({ field: 'reduction.q', message: 'reduction.q (the condition, an NGSI-LD q) is required for share', de: 'Für einen Anteil bitte die Bedingung (q) angeben, z. B. no2<40.' });
    else { shareQ = red.q.trim(); checkQ(shareQ, 'reduction.q', problems); }
  } else if (red.q !== undefined && red.q !== '') problems.push({ field: 'reduction.q', message: 'reduction.q is only used with kind share', de: 'Eine Bedingung gibt es nur beim Anteil.' });

  // (2) The value per entity.
  const val = (b.value && typeof b.value === 'object' && !Array.isArray(b.value) ? b.value : {}) as Record<string, unknown>;
  const needsAttr = kind === 'sum' || kind === 'avg' || kind === 'min' || kind === 'max';
  let attr: string | undefined;
  if (val.attr !== undefined && val.attr !== '') {
    if (typeof val.attr !== 'string' || !ATTR.test(val.attr)) problems.push({ field: 'value.attr', message: 'value.attr must be an attribute name', de: 'Bitte einen gültigen Attributnamen angeben (z. B. no2).' });
    else attr = val.attr;
  } else if (needsAttr) problems.push({ field: 'value.attr', message: `value.attr is required for ${kind}`, de: 'Bitte das Attribut angeben, dessen Wert zählt.' });
  let aggregation: KpiInput['value']['aggregation'];
  if (val.aggregation !== undefined && val.aggregation !== null) {
    const a = val.aggregation as Record<string, unknown>;
    const method = a?.method as KpiAggregation;
    const period = a?.period as KpiPeriod;
    if (!KPI_AGGREGATIONS.includes(method)) problems.push({ field: 'value.aggregation.method', message: `value.aggregation.method must be one of ${KPI_AGGREGATIONS.join(', ')}`, de: 'Bitte eine zeitliche Zusammenfassung wählen (Summe, Mittelwert, Minimum, Maximum oder Zuwachs).' });
    if (!KPI_PERIODS.includes(period)) problems.push({ field: 'value.aggregation.period', message: `value.aggregation.period must be one of ${KPI_PERIODS.join(', ')}`, de: 'Bitte einen Zeitraum wählen.' });
    let hours: number | undefined;
    if (period === 'hours') {
      hours = typeof a.hours === 'string' ? Number(a.hours) : a.hours as number;
      if (!Number.isInteger(hours) || hours! < 1 || hours! > KPI_LIMITS.hours) problems.push({ field: 'value.aggregation.hours', message: `value.aggregation.hours must be a whole number from 1 to ${KPI_LIMITS.hours}`, de: `Bitte eine ganze Zahl von 1 bis ${KPI_LIMITS.hours} Stunden angeben.` });
    }
    if (!attr && !problems.some((p) => p.field === 'value.attr')) problems.push({ field: 'value.attr', message: 'value.attr is required with an aggregation', de: 'Für eine zeitliche Zusammenfassung bitte das Attribut angeben.' });
    if (kind === 'count' || kind === 'share') problems.push({ field: 'value.aggregation.method', message: `an aggregation is not used with ${kind}`, de: 'Anzahl und Anteil brauchen keine zeitliche Zusammenfassung.' });
    aggregation = { method, period, ...(hours !== undefined ? { hours } : {}) };
  }
  if (problems.length) return { problems };
  const input: KpiInput = {
    id: id as string, name, description, unit: (unit as string).trim(), published: b.published === true,
    selection: { tenant: tenant as string, type: (type as string).trim(), ...(q ? { q } : {}), ...(geo ? { geo } : {}) },
    value: { ...(attr ? { attr } : {}), ...(aggregation ? { aggregation } : {}) },
    reduction: { kind, ...(shareQ ? { q: shareQ } : {}) },
  };
  if (typeof b.project === 'string' && b.project !== '') input.project = b.project;
  return { problems, input };
}
