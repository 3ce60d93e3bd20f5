// The strategy domain: fields of action, projects, organisations, events, and the feedback the
// portal's accessibility statement collects. Plain data; validation lives in strategy.validate.ts.

/** Text in German (first) and English. */
export interface Text2 {
  de: string;
  en: string;
}

export const PROJECT_STATUSES = ['idea', 'planning', 'in_progress', 'done'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export type ProjectLocation =
  | { type: 'Point'; coordinates: [number, number] }
  | { type: 'Polygon'; coordinates: Array<Array<[number, number]>> };

export interface FieldOfAction {
  id: string;
  title: Text2;
  /** The field's goals, one short sentence each. */
  goals: Text2[];
  /** Display order (ascending). */
  position: number;
}

export interface Organisation {
  id: string;
  name: string;
  kind?: string;
  url?: string;
}

export interface Project {
  slug: string;
  fieldId: string;
  title: Text2;
  summary: Text2;
  description: Text2;
  status: ProjectStatus;
  organisationId?: string;
  /** Timeline as ISO dates (YYYY-MM or YYYY-MM-DD); either may be open. */
  start?: string;
  end?: string;
  /** GeoJSON (WGS 84, lon/lat). */
  location?: ProjectLocation;
  /** Entity types (short names as the city's tenant uses them) whose live data belongs to the project. */
  entityTypes: string[];
  /** Ids of catalogue datasets (filled once the catalogue exists). */
  datasets: string[];
  createdAt: string;
  modifiedAt: string;
}

export interface StrategyEvent {
  id: string;
  title: Text2;
  start: string;
  end?: string;
  place: string;
  description?: Text2;
  /** Where on the map (WGS 84, [lon, lat]); the place text says it in words. */
  point?: [number, number];
  /** Seats; absent = no limit. The count of registrations is the participation module's (a database constraint there). */
  capacity?: number;
  /** Whether people register (signed in, through the participation pages) to take part. */
  registration?: boolean;
}

export interface Feedback {
  id: string;
  at: string;
  lang: string;
  message: string;
  name?: string;
  email?: string;
  page?: string;
}
