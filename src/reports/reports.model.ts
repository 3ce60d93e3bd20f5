// Defect reports (Mängelmelder): the public record, the reporter's personal data (kept apart),
// the categories, and the one status workflow with its Open311 and IssueReporting mappings.

/** received → in_progress → done | rejected (with a reason); done and rejected may be reopened to in_progress. */
export const STATUSES = ['received', 'in_progress', 'done', 'rejected'] as const;
export type ReportStatus = (typeof STATUSES)[number];

export const NEXT: Record<ReportStatus, readonly ReportStatus[]> = {
  received: ['in_progress', 'done', 'rejected'],
  in_progress: ['done', 'rejected'],
  done: ['in_progress'],
  rejected: ['in_progress'],
};

/** Open311 GeoReport v2 knows two states; our workflow's detail goes into status_notes. */
export function open311Status(s: ReportStatus): 'open' | 'closed' {
  return s === 'done' || s === 'rejected' ? 'closed' : 'open';
}

/** Smart Data Models IssueReporting `resolutionStatus` (its examples use these words). */
export function resolutionStatus(s: ReportStatus): string {
  return { received: 'Open', in_progress: 'Assigned', done: 'Closed', rejected: 'Rejected' }[s];
}

export type PhotoState = 'pending' | 'released' | 'rejected';

export interface ReportPhoto {
  state: PhotoState;
  contentType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  bytes: number;
}

/** What everyone may see (also written to the IssueReporting entity). */
export interface Report {
  /** The Open311 service_request_id: a number, as a string. */
  id: string;
  /** The category code (Open311 service_code). */
  category: string;
  description: string;
  lat?: number;
  lon?: number;
  /** An address or place description as the reporter typed it (no geocoder offline). */
  address?: string;
  status: ReportStatus;
  /** The reason of a rejection, or a short note on the latest status change (Open311 status_notes). */
  statusNote?: string;
  /** The city's public answer. */
  answer?: string;
  /** The department the report is assigned to (Open311 agency_responsible). */
  department?: string;
  requestedAt: string;
  updatedAt: string;
  photo?: ReportPhoto;
  /** Where it came from: "web" or the API key's principal ("key:<name>"). */
  source: string;
}

/** Personal data of the reporter: only in the module's own table, never in the entity, exports or logs. */
export interface ReportContact {
  email?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  deviceId?: string;
  accountId?: string;
  /** The language of the mails (the page's language when reported there). */
  lang?: 'de' | 'en';
}

/** One step of a report's history, shown on its page. */
export interface ReportEvent {
  at: string;
  status: ReportStatus;
  note?: string;
  /** Who acted ("user:<id>", "key:<name>", "web"); not shown publicly. */
  by: string;
}

export interface Category {
  code: string;
  name: { de: string; en: string };
  description: { de: string; en: string };
  /** Open311 group. */
  group: string;
  keywords?: string[];
  /** The department a new report goes to by default. */
  department?: string;
}

/** The default list (operators replace it with PUT /api/reports/categories). */
export const DEFAULT_CATEGORIES: Category[] = [
  { code: 'schlagloch', group: 'strasse', name: { de: 'Schlagloch oder Straßenschaden', en: 'Pothole or road damage' }, description: { de: 'Löcher, Risse oder Absenkungen in Fahrbahn, Rad- oder Gehweg', en: 'Holes, cracks or subsidence in roads, cycle paths or pavements' }, keywords: ['Straße', 'Gehweg', 'Radweg'], department: 'Tiefbau' },
  { code: 'strassenlaterne', group: 'strasse', name: { de: 'Straßenlaterne defekt', en: 'Broken streetlight' }, description: { de: 'Laterne aus, flackert oder brennt tagsüber', en: 'Light off, flickering or on during the day' }, keywords: ['Beleuchtung'], department: 'Stadtwerke' },
  { code: 'muell', group: 'sauberkeit', name: { de: 'Müll oder wilde Ablagerung', en: 'Litter or fly-tipping' }, description: { de: 'Abfall, Sperrmüll oder volle Papierkörbe im öffentlichen Raum', en: 'Waste, bulky refuse or full litter bins in public space' }, keywords: ['Sperrmüll', 'Papierkorb'], department: 'Entsorgung' },
  { code: 'graffiti', group: 'sauberkeit', name: { de: 'Graffiti oder Schmiererei', en: 'Graffiti' }, description: { de: 'Schmierereien an öffentlichen Gebäuden, Brücken oder Schildern', en: 'Graffiti on public buildings, bridges or signs' }, department: 'Gebäudemanagement' },
  { code: 'gruenflaeche', group: 'gruen', name: { de: 'Grünfläche oder Baum', en: 'Green space or tree' }, description: { de: 'Überwucherte Wege, beschädigte Bäume, Spielplatzschäden', en: 'Overgrown paths, damaged trees, playground damage' }, department: 'Grünflächen' },
  { code: 'verkehrszeichen', group: 'strasse', name: { de: 'Verkehrszeichen oder Ampel', en: 'Traffic sign or signal' }, description: { de: 'Verdeckte, beschädigte oder fehlende Schilder, Ampelstörungen', en: 'Hidden, damaged or missing signs, signal faults' }, department: 'Straßenverkehr' },
  { code: 'sonstiges', group: 'sonstiges', name: { de: 'Sonstiges', en: 'Other' }, description: { de: 'Anderer Mangel im öffentlichen Raum', en: 'Another defect in public space' } },
];

/** The area a report may lie in: a generous box around the city (reports elsewhere are refused). */
export interface Area {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}
