// Controlled vocabularies of DCAT-AP.de: licences (read from the vocabulary file in vocab/), EU data
// themes, frequencies and file types (codes of the EU Publications Office authority tables).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Licence, Theme } from './catalog.model.ts';

export const LICENCE_BASE = 'http://dcat-ap.de/def/licenses/';
export const THEME_BASE = 'http://publications.europa.eu/resource/authority/data-theme/';
export const FREQUENCY_BASE = 'http://publications.europa.eu/resource/authority/frequency/';
export const FILE_TYPE_BASE = 'http://publications.europa.eu/resource/authority/file-type/';
export const MUNICIPALITY_BASE = 'http://dcat-ap.de/def/politicalGeocoding/municipalityKey/';
export const CONTRIBUTOR_BASE = 'http://dcat-ap.de/def/contributors/';

const LICENCE_FILE = join(dirname(fileURLToPath(import.meta.url)), 'vocab', 'dcat-ap-de-licenses-open.rdf');

let licences: Licence[] | undefined;

/** The licences of the DCAT-AP.de vocabulary (parsed once from the RDF/XML file). */
export function licenceList(): Licence[] {
  if (licences) return licences;
  const text = readFileSync(LICENCE_FILE, 'utf8');
  const open = new Map<string, boolean>();
  for (const m of text.matchAll(/<rdf:Description rdf:about="([^"]+)"><govdata:isOpenLicense[^>]*>(true|false)</g)) open.set(m[1], m[2] === 'true');
  const out = new Map<string, Licence>();
  for (const m of text.matchAll(/<skos:Concept rdf:about="([^"]+)">([\s\S]*?)<\/skos:Concept>/g)) {
    const iri = m[1];
    if (!iri.startsWith(LICENCE_BASE) || out.has(iri)) continue;
    const label = /<skos:prefLabel xml:lang="de">([^<]*)</.exec(m[2])?.[1]?.trim() ?? iri;
    const url = /<(?:foaf:homepage|dct:references) rdf:resource="([^"]+)"/.exec(m[2])?.[1];
    const id = iri.slice(LICENCE_BASE.length);
    out.set(iri, { id, iri, label, ...(url ? { url } : {}), open: open.get(iri) ?? !/(-nc|-nd|closed|commercial|freeware)/.test(id) });
  }
  licences = [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
  return licences;
}

/** The licence for an id ("dl-by-de/2.0") or IRI; undefined when it is not in the vocabulary. */
export function findLicence(idOrIri: string): Licence | undefined {
  const id = idOrIri.startsWith(LICENCE_BASE) ? idOrIri.slice(LICENCE_BASE.length) : idOrIri;
  return licenceList().find((l) => l.id === id);
}

const THEMES: Array<[string, string, string]> = [
  ['AGRI', 'Landwirtschaft, Fischerei, Forstwirtschaft und Nahrungsmittel', 'Agriculture, fisheries, forestry and food'],
  ['ECON', 'Wirtschaft und Finanzen', 'Economy and finance'],
  ['EDUC', 'Bildung, Kultur und Sport', 'Education, culture and sport'],
  ['ENER', 'Energie', 'Energy'],
  ['ENVI', 'Umwelt', 'Environment'],
  ['GOVE', 'Regierung und öffentlicher Sektor', 'Government and public sector'],
  ['HEAL', 'Gesundheit', 'Health'],
  ['INTR', 'Internationale Themen', 'International issues'],
  ['JUST', 'Justiz, Rechtssystem und öffentliche Sicherheit', 'Justice, legal system and public safety'],
  ['REGI', 'Regionen und Städte', 'Regions and cities'],
  ['SOCI', 'Bevölkerung und Gesellschaft', 'Population and society'],
  ['TECH', 'Wissenschaft und Technologie', 'Science and technology'],
  ['TRAN', 'Verkehr', 'Transport'],
];

export function themeList(): Theme[] {
  return THEMES.map(([code, de, en]) => ({ code, iri: THEME_BASE + code, label: { de, en } }));
}

export function findTheme(codeOrIri: string): Theme | undefined {
  const code = codeOrIri.startsWith(THEME_BASE) ? codeOrIri.slice(THEME_BASE.length) : codeOrIri;
  return themeList().find((t) => t.code === code);
}

/** EU frequency codes with German and English labels. */
export const FREQUENCIES: Record<string, { de: string; en: string }> = {
  CONT: { de: 'kontinuierlich', en: 'continuous' },
  UPDATE_CONT: { de: 'ständig aktualisiert', en: 'continuously updated' },
  HOURLY: { de: 'stündlich', en: 'hourly' },
  DAILY: { de: 'täglich', en: 'daily' },
  WEEKLY: { de: 'wöchentlich', en: 'weekly' },
  MONTHLY: { de: 'monatlich', en: 'monthly' },
  QUARTERLY: { de: 'vierteljährlich', en: 'quarterly' },
  ANNUAL: { de: 'jährlich', en: 'annual' },
  IRREG: { de: 'unregelmäßig', en: 'irregular' },
  NEVER: { de: 'nie', en: 'never' },
  UNKNOWN: { de: 'unbekannt', en: 'unknown' },
};

export function findFrequency(codeOrIri: string): string | undefined {
  const code = codeOrIri.startsWith(FREQUENCY_BASE) ? codeOrIri.slice(FREQUENCY_BASE.length) : codeOrIri;
  return code in FREQUENCIES ? code : undefined;
}

/** EU file type codes the catalogue accepts, with their usual media type. */
export const FILE_TYPES: Record<string, string> = {
  CSV: 'text/csv',
  JSON: 'application/json',
  GEOJSON: 'application/geo+json',
  JSON_LD: 'application/ld+json',
  XML: 'application/xml',
  RDF_XML: 'application/rdf+xml',
  RDF_TURTLE: 'text/turtle',
  PDF: 'application/pdf',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ODS: 'application/vnd.oasis.opendocument.spreadsheet',
  ZIP: 'application/zip',
  TXT: 'text/plain',
  HTML: 'text/html',
  SHP: 'application/x-shapefile',
  GPKG: 'application/geopackage+sqlite3',
  KML: 'application/vnd.google-earth.kml+xml',
  PNG: 'image/png',
  JPEG: 'image/jpeg',
  WMS_SRVC: 'application/vnd.ogc.wms_xml',
  WFS_SRVC: 'application/vnd.ogc.wfs_xml',
};

export function findFileType(codeOrIri: string): string | undefined {
  const code = codeOrIri.startsWith(FILE_TYPE_BASE) ? codeOrIri.slice(FILE_TYPE_BASE.length) : codeOrIri;
  return code in FILE_TYPES ? code : undefined;
}
