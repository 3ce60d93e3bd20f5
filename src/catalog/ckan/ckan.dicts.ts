// Datasets, organisations and projects as CKAN 2.10 dictionaries (package, organization, group),
// with the DCAT-AP.de fields as extras the way ckanext-dcat / ckanext-dcatde name them.
import type { Organisation } from '../../strategy/index.ts';
import type { Dataset, Distribution } from '../catalog.model.ts';
import type { CatalogService } from '../catalog.service.ts';
import { fold } from '../catalog.text.ts';
import { FREQUENCY_BASE, findLicence, LICENCE_BASE, MUNICIPALITY_BASE, THEME_BASE } from '../catalog.vocab.ts';

export interface ProjectInfo {
  slug: string;
  title: string;
  description?: string;
  createdAt?: string;
}

export interface CkanContext {
  service: CatalogService;
  organisations: Map<string, Organisation>;
  projects: Map<string, ProjectInfo>;
}

/** CKAN's timestamps: ISO without zone ("2026-12-01T10:00:00.000000"). */
const ckanTime = (iso: string) => new Date(iso).toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$1000');

export function organizationDict(s: CatalogService, o: Organisation, count: number): Record<string, unknown> {
  return {
    id: o.id, name: o.id, title: o.name, display_name: o.name, description: o.kind ?? '', image_url: '', image_display_url: '',
    type: 'organization', is_organization: true, approval_status: 'approved', state: 'active', created: null,
    package_count: count, num_followers: 0, uri: `${s.baseUrl}/catalog/organisations/${o.id}`,
  };
}

export function groupDict(s: CatalogService, p: ProjectInfo, count: number): Record<string, unknown> {
  return {
    id: p.slug, name: p.slug, title: p.title, display_name: p.title, description: p.description ?? '', image_url: '', image_display_url: '',
    type: 'group', is_organization: false, approval_status: 'approved', state: 'active', created: p.createdAt ? ckanTime(p.createdAt) : null,
    package_count: count, num_followers: 0,
  };
}

function resource(s: CatalogService, ds: Dataset, d: Distribution, position: number): Record<string, unknown> {
  return {
    id: `${ds.id}--${d.id}`, package_id: ds.id, position, state: 'active',
    name: d.title?.de ?? d.id, description: d.description?.de ?? '',
    url: d.kind === 'link' ? (d.downloadUrl ?? d.accessUrl) : s.accessUrl(ds, d),
    access_url: s.accessUrl(ds, d),
    download_url: d.kind === 'link' ? (d.downloadUrl ?? null) : d.live === 'ngsi-ld' ? null : s.downloadUrl(ds.id, d.id),
    format: d.format, mimetype: d.mediaType, size: d.byteSize ?? null, hash: d.checksum ? `${d.checksum.algorithm}:${d.checksum.value}` : '',
    license: LICENCE_BASE + (d.licence ?? ds.licence),
    created: ckanTime(d.modified ?? ds.createdAt), last_modified: d.modified ? ckanTime(d.modified) : null, metadata_modified: ckanTime(ds.modified),
    url_type: d.kind === 'file' ? 'upload' : null, resource_type: d.kind === 'live' ? 'api' : null, mimetype_inner: null, cache_url: null,
    uri: s.distributionIri(ds.id, d.id),
  };
}

export function packageDict(c: CkanContext, ds: Dataset, modified = ds.modified): Record<string, unknown> {
  const s = c.service;
  const org = c.organisations.get(ds.publisherId);
  const lic = findLicence(ds.licence);
  const contact = ds.contactPoint ? c.organisations.get(ds.contactPoint.organisationId) : undefined;
  const extras: Array<{ key: string; value: string }> = [];
  const extra = (key: string, value: string | undefined) => { if (value) extras.push({ key, value }); };
  extra('identifier', ds.id);
  extra('uri', s.datasetIri(ds.id));
  extra('issued', ds.issued);
  extra('modified', modified);
  extra('theme', ds.themes.length ? JSON.stringify(ds.themes.map((t) => THEME_BASE + t)) : undefined);
  extra('frequency', ds.accrualPeriodicity ? FREQUENCY_BASE + ds.accrualPeriodicity : undefined);
  extra('spatial_uri', ds.spatial?.municipalityKey ? MUNICIPALITY_BASE + ds.spatial.municipalityKey : undefined);
  extra('spatial', ds.spatial?.geometry ? JSON.stringify(ds.spatial.geometry) : undefined);
  extra('temporal_start', ds.temporal?.start);
  extra('temporal_end', ds.temporal?.end);
  extra('contributorID', ds.contributorIds.length ? JSON.stringify(ds.contributorIds) : undefined);
  extra('conforms_to', ds.conformsTo.length ? JSON.stringify(ds.conformsTo) : undefined);
  extra('title_en', ds.title.en);
  extra('notes_en', ds.description.en);
  if (ds.live) extra('ngsi_ld_query', s.accessUrl(ds, ds.distributions.find((d) => d.live === 'ngsi-ld')!));
  const project = ds.projectSlug ? c.projects.get(ds.projectSlug) : undefined;
  return {
    id: ds.id, name: ds.id, title: ds.title.de, notes: ds.description.de, type: 'dataset', state: 'active', private: false,
    url: ds.landingPage ?? '', version: null,
    author: org?.name ?? ds.publisherId, author_email: null,
    maintainer: contact?.name ?? null, maintainer_email: ds.contactPoint?.email ?? null,
    license_id: ds.licence, license_title: lic?.label ?? ds.licence, license_url: lic?.url ?? '', isopen: lic?.open ?? false,
    metadata_created: ckanTime(ds.createdAt), metadata_modified: ckanTime(modified),
    owner_org: ds.publisherId,
    organization: org ? organizationDict(s, org, 0) : null,
    groups: project ? [{ id: project.slug, name: project.slug, title: project.title, display_name: project.title, description: project.description ?? '', image_display_url: '' }] : [],
    tags: ds.keywords.map((k) => ({ id: fold(k.trim()), name: fold(k.trim()), display_name: k, state: 'active', vocabulary_id: null })),
    num_tags: ds.keywords.length,
    resources: ds.distributions.map((d, i) => resource(s, ds, d, i)),
    num_resources: ds.distributions.length,
    extras,
    relationships_as_object: [], relationships_as_subject: [],
  };
}
