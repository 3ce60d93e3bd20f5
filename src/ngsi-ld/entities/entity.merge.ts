// Pure functions combining stored and incoming attribute instances for the update
// operations (clauses 5.6.2 update, 5.6.3 append, 5.6.4 partial update, 5.6.17 merge).
import type { AttrInstance, EntityRecord } from '../../storage/port.ts';
import { NGSI_LD_NULL, CORE_MEMBERS } from './entity.parse.ts';

const dsKey = (i: AttrInstance): string => (i.datasetId as string | undefined) ?? '@default';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7396 merge of compound values; urn:ngsi-ld:null removes a member. */
function mergeValue(old: unknown, patch: unknown): unknown {
  if (!isPlainObject(old) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...old };
  for (const [k, v] of Object.entries(patch)) {
    if (v === NGSI_LD_NULL || v === null) delete out[k];
    else out[k] = mergeValue(old[k], v);
  }
  return out;
}

/**
 * An instance that is the NGSI-LD Null of its type (clause 4.5, 5.2.x): "urn:ngsi-ld:null" as value,
 * object, vocab or json, {"@none": "urn:ngsi-ld:null"} as languageMap, ["urn:ngsi-ld:null"] as
 * valueList or objectList. In a merge or partial update it deletes the attribute (instance).
 */
export function isNullInstance(i: AttrInstance): boolean {
  if (i.value === NGSI_LD_NULL || i.object === NGSI_LD_NULL || i.vocab === NGSI_LD_NULL || i.json === NGSI_LD_NULL) return true;
  const lm = i.languageMap;
  if (isPlainObject(lm) && lm['@none'] === NGSI_LD_NULL && Object.keys(lm).length === 1) return true;
  for (const l of [i.valueList, i.objectList]) if (Array.isArray(l) && l.length === 1 && l[0] === NGSI_LD_NULL) return true;
  return false;
}

/** Carries createdAt over from the instance being replaced. */
export function replaced(old: AttrInstance | undefined, next: AttrInstance): AttrInstance {
  if (old?.createdAt) next.createdAt = old.createdAt;
  return next;
}

/** Merge-patch of one instance: members overwrite, sub-attributes merge, urn:ngsi-ld:null deletes. */
export function mergeInstance(old: AttrInstance, patch: AttrInstance, now: string): AttrInstance {
  const out: AttrInstance = patch.type !== old.type ? { type: patch.type } : { ...old };
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'createdAt') continue;
    if (v === NGSI_LD_NULL) { delete out[k]; continue; }
    if (!CORE_MEMBERS.has(k) && isPlainObject(v) && isNullInstance(v as AttrInstance)) { delete out[k]; continue; }
    if (k === 'value' && patch.type === 'Property' && old.type === 'Property') { out.value = mergeValue(old.value, v); continue; }
    if (!CORE_MEMBERS.has(k) && isPlainObject(v) && isPlainObject(old[k])) {
      out[k] = mergeInstance(old[k] as AttrInstance, v as AttrInstance, now);
      continue;
    }
    out[k] = v;
  }
  out.createdAt = old.createdAt ?? now;
  out.modifiedAt = now;
  return out;
}

/** Instance lists: incoming instances replace (or merge into) those with the same datasetId. */
export function combineInstances(old: AttrInstance[] | undefined, incoming: AttrInstance[], mode: 'replace' | 'merge', now: string): AttrInstance[] {
  const out = old ? [...old] : [];
  for (const inst of incoming) {
    const idx = out.findIndex((o) => dsKey(o) === dsKey(inst));
    if (idx < 0) out.push(inst);
    else out[idx] = mode === 'merge' ? mergeInstance(out[idx], inst, now) : replaced(out[idx], inst);
  }
  return out.sort((a, b) => (a.datasetId === undefined ? -1 : 0) - (b.datasetId === undefined ? -1 : 0));
}

/** Does the stored attribute have an instance with each incoming datasetId? */
export function hasInstances(old: AttrInstance[] | undefined, incoming: AttrInstance[]): boolean {
  if (!old) return false;
  return incoming.every((i) => old.some((o) => dsKey(o) === dsKey(i)));
}

/** Applies a merge-patch body's attributes to an entity in place (clause 5.6.17). */
export function mergeEntityAttrs(target: EntityRecord, attrs: Record<string, AttrInstance[]>, now: string): void {
  for (const [iri, insts] of Object.entries(attrs)) {
    const nulls = insts.filter(isNullInstance);
    // An NGSI-LD Null without datasetId deletes the attribute; with one, that instance.
    if (nulls.some((n) => n.datasetId === undefined)) {
      delete target.attrs[iri];
      continue;
    }
    const list = combineInstances(target.attrs[iri], insts.filter((i) => !isNullInstance(i)), 'merge', now)
      .filter((o) => !nulls.some((n) => dsKey(n) === dsKey(o)));
    if (list.length) target.attrs[iri] = list;
    else delete target.attrs[iri];
  }
}
