// Checks a new report (from the page form and from Open311 alike): the same rules in both, each
// problem by field with a code; pages show German (or English) texts, Open311 the English description.
import type { Category } from './reports.model.ts';

export type ProblemCode = 'required' | 'unknown' | 'tooLong' | 'invalid' | 'outside' | 'type' | 'size' | 'decode';
export interface FieldProblem { field: string; code: ProblemCode; message: string }

export const LIMITS = { description: 4000, address: 500, email: 254, name: 100, phone: 40, note: 2000 } as const;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export interface ReportInput {
  category?: string;
  description?: string;
  lat?: string | number;
  lon?: string | number;
  address?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  deviceId?: string;
  accountId?: string;
}

export interface ValidReport {
  category: Category;
  description: string;
  lat?: number;
  lon?: number;
  address?: string;
  contact: { email?: string; firstName?: string; lastName?: string; phone?: string; deviceId?: string; accountId?: string };
}

const num = (v: string | number | undefined): number | undefined | null => {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const s = v.trim().replace(',', '.');
  if (s === '') return undefined;
  return /^[+-]?\d{1,3}(\.\d{1,15})?$/.test(s) ? Number(s) : null;
};

/** Control characters other than tab and line breaks are removed; text is trimmed. */
export function cleanText(s: string | undefined): string {
  return (s ?? '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
}

export function validateReport(i: ReportInput, categories: readonly Category[], area?: { minLat: number; maxLat: number; minLon: number; maxLon: number }): { ok: ValidReport } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const add = (field: string, code: ProblemCode, message: string) => problems.push({ field, code, message });
  const code = cleanText(i.category);
  const category = categories.find((c) => c.code === code);
  if (!code) add('category', 'required', 'category (service_code) is required');
  else if (!category) add('category', 'unknown', `service_code "${code.slice(0, 50)}" is not a known service`);
  const description = cleanText(i.description);
  if (!description) add('description', 'required', 'description is required');
  else if (description.length > LIMITS.description) add('description', 'tooLong', `description has more than ${LIMITS.description} characters`);
  const lat = num(i.lat);
  const lon = num(i.lon);
  const address = cleanText(i.address);
  if (lat === null || (lat !== undefined && (lat < -90 || lat > 90))) add('lat', 'invalid', 'lat must be a latitude in decimal degrees (WGS 84)');
  if (lon === null || (lon !== undefined && (lon < -180 || lon > 180))) add('lon', 'invalid', 'long must be a longitude in decimal degrees (WGS 84)');
  if ((lat === undefined) !== (lon === undefined) && lat !== null && lon !== null) add(lat === undefined ? 'lat' : 'lon', 'required', 'lat and long must be given together');
  if (lat === undefined && lon === undefined && !address) add('location', 'required', 'a location is required: lat and long, or address_string');
  if (address.length > LIMITS.address) add('address', 'tooLong', `address_string has more than ${LIMITS.address} characters`);
  if (area && typeof lat === 'number' && typeof lon === 'number' && !problems.some((p) => p.field === 'lat' || p.field === 'lon')
    && (lat < area.minLat || lat > area.maxLat || lon < area.minLon || lon > area.maxLon)) add('location', 'outside', 'the location is outside the area this service covers');
  const email = cleanText(i.email).toLowerCase();
  if (email && (email.length > LIMITS.email || !EMAIL.test(email))) add('email', 'invalid', 'email is not a valid e-mail address');
  const short = (k: 'firstName' | 'lastName' | 'phone' | 'deviceId' | 'accountId', max: number) => {
    const v = cleanText(i[k]);
    if (v.length > max) add(k, 'tooLong', `${k} has more than ${max} characters`);
    return v || undefined;
  };
  const contact = {
    ...(email ? { email } : {}),
    firstName: short('firstName', LIMITS.name), lastName: short('lastName', LIMITS.name), phone: short('phone', LIMITS.phone),
    deviceId: short('deviceId', LIMITS.name), accountId: short('accountId', LIMITS.name),
  };
  for (const k of Object.keys(contact) as Array<keyof typeof contact>) if (contact[k] === undefined) delete contact[k];
  if (problems.length) return { problems };
  // Seven decimals are about 1 cm: more is noise (and float artefacts such as 7.223050000000001).
  const r7 = (x: number) => Math.round(x * 1e7) / 1e7;
  return { ok: { category: category!, description, ...(typeof lat === 'number' && typeof lon === 'number' ? { lat: r7(lat), lon: r7(lon) } : {}), ...(address ? { address } : {}), contact } };
}

/** Distance in metres between two WGS 84 points (haversine; plenty for 50 m). */
export function metres(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}
