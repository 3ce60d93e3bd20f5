// Linked-entity retrieval (GS CIM 009 v1.9.1 clause 4.5.23, parameters join, joinLevel,
// containedBy of Table 6.4.3.2-1 and 6.5.3.1): the entities a Relationship points to, fetched level
// by level (one storage read per level) and shown inline (the member `entity` of the Relationship)
// or flat (extra top-level entities). Only entities the caller may read are joined.
import { BadRequestData, TooManyResults } from '../../core/errors.ts';
import type { AccessGuard } from '../../core/access.ts';
import type { AttrInstance, EntityReader, EntityRecord } from '../../storage/port.ts';
import type { Terms } from '../context/term-map.ts';
import { checkEntityId, CORE_MEMBERS } from './entity.parse.ts';
import { LINK_PATH_SEP, listMemberId, renderEntity, renderFeature, type LinkHook, type Projection, type Rendered, type RenderOptions } from './entity.render.ts';

export interface JoinOptions {
  mode: 'inline' | 'flat';
  /** How many Relationships deep linked entities are fetched (clause 7.7.4 of the core text: default 1). */
  level: number;
  /** Entities already encountered by the caller (a distributed retrieval's linking entities): their links are not followed. */
  containedBy: Set<string>;
}

/** Limits of one answer: joinLevel at most MAX_JOIN_LEVEL; at most MAX_JOINED distinct linked entities fetched. */
export const MAX_JOIN_LEVEL = 10;
export const MAX_JOINED = 2000;

/**
 * join, joinLevel, containedBy from URL parameters or members of a Query body. join=@none (or no
 * join) answers without linked entities; joinLevel and containedBy without join are 400, so a
 * client never gets a silently different answer.
 */
export function parseJoin(p: { join?: unknown; joinLevel?: unknown; containedBy?: unknown }): JoinOptions | undefined {
  const { join, joinLevel, containedBy } = p;
  if (join === undefined || join === '@none') {
    if (joinLevel !== undefined || containedBy !== undefined) throw new BadRequestData('joinLevel and containedBy apply to linked-entity retrieval: give join=inline or join=flat as well');
    return undefined;
  }
  if (join !== 'inline' && join !== 'flat') throw new BadRequestData(`join must be inline, flat or @none, got ${JSON.stringify(join)?.slice(0, 40)}`);
  let level = 1;
  if (joinLevel !== undefined) {
    const s = String(joinLevel);
    if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > MAX_JOIN_LEVEL) throw new BadRequestData(`joinLevel must be an integer from 1 to ${MAX_JOIN_LEVEL}, got ${s.slice(0, 20)}`);
    level = Number(s);
  }
  const seen = new Set<string>();
  if (containedBy !== undefined) {
    const ids = Array.isArray(containedBy) ? containedBy.map(String) : String(containedBy).split(',').map((x) => x.trim()).filter(Boolean);
    for (const id of ids) seen.add(checkEntityId(id, 'containedBy'));
  }
  return { mode: join, level, containedBy: seen };
}

/** One entity of the joined graph: its record, how it is rendered, and the entities it links to (attribute IRI → object id → node). */
interface Node {
  rec: EntityRecord;
  opts: RenderOptions;
  links: Map<string, Map<string, Node>>;
}

/** Render options of the entity linked through attribute `iri`: the nested pick/omit of that attribute, the rest inherited. */
function linkedOptions(o: RenderOptions, iri: string): RenderOptions {
  const p: Projection | undefined = o.pickNested?.get(iri);
  const m: Projection | undefined = o.omitNested?.get(iri);
  const out: RenderOptions = { ...o, pick: p?.names, omit: undefined, pickNested: p?.nested, omitNested: m?.nested };
  if (m) {
    // Names with their own nested projection are not omitted themselves (omit=a{b} drops b below a).
    const drop = new Set([...m.names].filter((n) => !m.nested.has(n)));
    if (drop.size) out.omit = drop;
  }
  return out;
}

/**
 * The Relationships an entity shows under its options (pick/omit, datasetId): the path (attribute IRI, for
 * a sub-attribute followed by its IRIs, see LINK_PATH_SEP) and target ids. Relationships that are
 * sub-attributes (of a Property, of a Relationship) are followed as top-level ones are.
 */
function shownRelationships(rec: EntityRecord, o: RenderOptions): Array<[string, string[]]> {
  const out = new Map<string, string[]>();
  const add = (path: string, id: string) => { const l = out.get(path); if (l) l.push(id); else out.set(path, [id]); };
  const walk = (path: string, i: AttrInstance, depth: number) => {
    if (i.type === 'Relationship' && typeof i.object === 'string') add(path, i.object);
    else if (i.type === 'ListRelationship' && Array.isArray(i.objectList)) for (const x of i.objectList) { const id = listMemberId(x); if (id !== undefined) add(path, id); }
    if (depth >= MAX_SUB_DEPTH) return;
    for (const [k, v] of Object.entries(i)) {
      if (CORE_MEMBERS.has(k) || typeof v !== 'object' || v === null || Array.isArray(v) || typeof (v as AttrInstance).type !== 'string') continue;
      walk(`${path}${LINK_PATH_SEP}${k}`, v as AttrInstance, depth + 1);
    }
  };
  for (const [iri, insts] of Object.entries(rec.attrs)) {
    if ((o.pick && !o.pick.has(iri)) || (o.omit && o.omit.has(iri))) continue;
    let list: AttrInstance[] = insts;
    if (o.datasetId) list = list.filter((i) => o.datasetId!.includes((i.datasetId as string | undefined) ?? '@none'));
    for (const i of list) walk(iri, i, 0);
  }
  return [...out];
}

/** Sub-attributes are stored at most this deep (entity.parse.ts); their Relationships are followed to it. */
const MAX_SUB_DEPTH = 8;

export interface Joined {
  /** The roots, rendered (inline: with their linked entities inside). */
  roots: Rendered[];
  /** join=flat: the linked entities, each once, not repeating a root; else empty. */
  extra: Rendered[];
}

/**
 * Fetches the entities linked from `roots` up to j.level Relationships deep and renders the answer.
 * An entity met before at a shallower depth (or named in containedBy) is shown but its own links
 * are not followed again (clause 7.7.4 of the core text), which also ends every cycle.
 */
export async function joinLinked(a: {
  reader: EntityReader; tenant: string; roots: EntityRecord[]; terms: Terms; opts: RenderOptions; join: JoinOptions;
  access?: AccessGuard; geoProperty?: string;
  /** Renders a root in place of renderEntity (notifications: deleted attributes, showChanges); `link` is set for join=inline. */
  renderRoot?: (rec: EntityRecord, link?: LinkHook) => Rendered;
}): Promise<Joined> {
  const { reader, tenant, terms, join } = a;
  const firstDepth = new Map<string, number>();
  for (const id of join.containedBy) firstDepth.set(id, -1);
  const rootNodes: Node[] = a.roots.map((rec) => ({ rec, opts: a.opts, links: new Map() }));
  for (const n of rootNodes) if (!firstDepth.has(n.rec.id)) firstDepth.set(n.rec.id, 0);
  const fetched = new Map<string, EntityRecord | null>(); // null: absent, expired or not readable
  for (const r of a.roots) fetched.set(r.id, r);

  let frontier = rootNodes.filter((n) => firstDepth.get(n.rec.id) === 0);
  for (let level = 1; level <= join.level && frontier.length; level++) {
    const want: Array<{ parent: Node; iri: string; id: string }> = [];
    for (const n of frontier) for (const [iri, ids] of shownRelationships(n.rec, n.opts)) for (const id of ids) want.push({ parent: n, iri, id });
    const missing = [...new Set(want.map((w) => w.id).filter((id) => !fetched.has(id)))];
    if (fetched.size - a.roots.length + missing.length > MAX_JOINED) {
      throw new TooManyResults(`join would fetch more than ${MAX_JOINED} linked entities for this answer; lower joinLevel or limit, or narrow the query`);
    }
    if (missing.length) {
      for (const id of missing) fetched.set(id, null);
      for (const rec of await reader.getMany(tenant, missing)) {
        if (!a.access || a.access.mayRead(rec.types)) fetched.set(rec.id, rec);
      }
    }
    const next: Node[] = [];
    for (const w of want) {
      const rec = fetched.get(w.id);
      if (!rec) continue;
      if (!firstDepth.has(w.id)) firstDepth.set(w.id, level);
      let byId = w.parent.links.get(w.iri);
      if (!byId) { byId = new Map(); w.parent.links.set(w.iri, byId); }
      if (byId.has(w.id)) continue;
      const child: Node = { rec, opts: linkedOptions(w.parent.opts, w.iri), links: new Map() };
      byId.set(w.id, child);
      if (firstDepth.get(w.id) === level) next.push(child);
    }
    frontier = next;
  }

  if (join.mode === 'inline') {
    const hookOf = (n: Node) => (iri: string, id: string) => { const c = n.links.get(iri)?.get(id); return c && render(c); };
    const render = (n: Node): Rendered => renderEntity(n.rec, terms, n.opts, hookOf(n));
    // GeoJSON: the roots are Features; the entities inside them stay entities.
    const roots = rootNodes.map((n) => (a.renderRoot ? a.renderRoot(n.rec, hookOf(n)) : a.geoProperty === undefined ? render(n) : renderFeature(n.rec, terms, n.opts, a.geoProperty, hookOf(n))));
    return { roots, extra: [] };
  }
  // flat: every linked entity once (the first path that reached it gives its projection), roots not repeated.
  const shown = new Set(a.roots.map((r) => r.id));
  const extra: Rendered[] = [];
  // Breadth first, so that an entity reached at a shallow depth takes that path's projection.
  let layer = rootNodes;
  while (layer.length) {
    const below: Node[] = [];
    for (const n of layer) {
      for (const byId of n.links.values()) for (const [id, c] of byId) {
        below.push(c);
        if (shown.has(id)) continue;
        shown.add(id);
        extra.push(a.geoProperty === undefined ? renderEntity(c.rec, terms, c.opts) : renderFeature(c.rec, terms, c.opts, a.geoProperty));
      }
    }
    layer = below;
  }
  const roots = rootNodes.map((n) => (a.renderRoot ? a.renderRoot(n.rec) : a.geoProperty === undefined ? renderEntity(n.rec, terms, n.opts) : renderFeature(n.rec, terms, n.opts, a.geoProperty!)));
  return { roots, extra };
}
