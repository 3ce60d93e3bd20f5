// A report as a Smart Data Models IssueReporting entity (dataModel.IssueTracking) in the city's
// tenant: open data, subscribable, kept in the temporal history. Only the public record goes in —
// never the reporter's e-mail, name, phone or anything of the photo but its public URL once released.
import type { EntityRecord, AttrInstance } from '../storage/port.ts';
import { resolutionStatus, type Category, type Report } from './reports.model.ts';

export const SDM = 'https://smartdatamodels.org/dataModel.IssueTracking/';
export const ISSUE_REPORTING = `${SDM}IssueReporting`;
const DC = 'http://purl.org/dc/terms/';
const LOCATION = 'https://uri.etsi.org/ngsi-ld/location';

export function entityId(tenant: string, id: string): string {
  return `urn:ngsi-ld:IssueReporting:${tenant || 'default'}:${id}`;
}

export function issueReporting(tenant: string, r: Report, cat: Category | undefined, mediaUrl: string | undefined): EntityRecord {
  const at = r.updatedAt;
  const p = (value: unknown, extra: Record<string, unknown> = {}): AttrInstance[] => [{ type: 'Property', value, ...extra, createdAt: r.requestedAt, modifiedAt: at }];
  const attrs: Record<string, AttrInstance[]> = {
    [`${SDM}reportId`]: p(r.id),
    [`${SDM}category`]: p(cat?.name.de ?? r.category),
    [`${SDM}categoryCode`]: p(r.category),
    [`${DC}title`]: p(cat?.name.de ?? r.category),
    [`${DC}description`]: p(r.description),
    [`${SDM}observationDateTime`]: p({ '@type': 'DateTime', '@value': r.requestedAt }),
    [`${SDM}resolutionStatus`]: p(resolutionStatus(r.status), r.statusNote ? { [`${SDM}statusNotes`]: { type: 'Property', value: r.statusNote, createdAt: at, modifiedAt: at } } : {}),
  };
  if (r.lat !== undefined && r.lon !== undefined) attrs[LOCATION] = [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [r.lon, r.lat] }, createdAt: r.requestedAt, modifiedAt: at }];
  if (r.address) attrs[`${SDM}landmark`] = p(r.address);
  if (r.department) attrs[`${SDM}departmentId`] = p(r.department);
  if (r.answer) attrs[`${SDM}comments`] = p(r.answer);
  if (mediaUrl) attrs[`${SDM}mediaURL`] = p(mediaUrl);
  return { id: entityId(tenant, r.id), types: [ISSUE_REPORTING], createdAt: r.requestedAt, modifiedAt: at, attrs };
}
