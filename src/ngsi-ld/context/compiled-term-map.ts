// The hot-path form of a resolved @context: expansion and compaction of attribute and type names as Map
// lookups, with JSON-LD 1.1 IRI compaction (API §6.2.2) and term selection (§6.2.3) precomputed per IRI.
import { type ActiveContext, type TermDef, expandIri, isKeyword } from './context.processor.ts';
import type { TermMap } from './term-map.ts';

/** Memo size per map and direction; past it the memo restarts (bounds memory against arbitrary names). */
const MAX_MEMO = 10_000;

/**
 * Term selection preferences. An NGSI-LD attribute instance in expanded form is a node object without @id
 * ({"@type": ["…/Property"], "…/hasValue": …}), so attribute names are compacted as JSON-LD compacts a
 * property whose value is such a node; type names as jsonld.js compacts @type values (no value).
 */
const ATTR_CONTAINERS = ['@id', '@id@set', '@type', '@set@type', '@set', '@none', '@index', '@index@set'];
const TYPE_CONTAINERS = ['@set', '@none'];
const PREFS = ['@id', '@none'];

interface Candidate {
  readonly term: string;
  readonly containerKey: string;
  /** Key under which JSON-LD's inverse context files the term in its "@type" map; null if it is not there. */
  readonly typeSlot: string | null;
  readonly reverse: boolean;
}

export function compareShortestLeast(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a === b ? 0 : a < b ? -1 : 1;
}

function typeSlotOf(def: TermDef): string | null {
  if (def.reverse) return '@reverse';
  if (def.type !== undefined) return def.type; // includes '@none'
  if (def.language !== undefined || def.direction !== undefined) return null; // only in the language map
  return '@none';
}

export class CompiledTermMap implements TermMap {
  readonly key: string;
  readonly source: unknown;
  readonly linkUrl: string;
  readonly vocab: string | null;
  /** Context document URLs this term map was built from (nested ones included), for usage counting and invalidation. */
  readonly dependencies: readonly string[];
  readonly namesCore: boolean;

  private readonly active: ActiveContext;
  private readonly byIri = new Map<string, Candidate[]>();
  private readonly prefixes: Array<{ term: string; iri: string }> = [];
  private readonly memo = {
    expand: new Map<string, string>(),
    compactAttr: new Map<string, string>(),
    compactType: new Map<string, string>(),
  };

  constructor(active: ActiveContext, meta: { key: string; source: unknown; linkUrl: string; dependencies?: readonly string[]; namesCore?: boolean }) {
    this.active = { vocab: active.vocab, terms: new Map(active.terms) };
    this.key = meta.key;
    this.source = meta.source;
    this.linkUrl = meta.linkUrl;
    this.vocab = active.vocab;
    this.dependencies = meta.dependencies ?? [];
    this.namesCore = meta.namesCore ?? false;
    for (const [term, def] of this.active.terms) {
      if (def.id === null) continue;
      const c: Candidate = {
        term,
        containerKey: def.container && def.container.length > 0 ? [...def.container].sort().join('') : '@none',
        typeSlot: typeSlotOf(def),
        reverse: def.reverse,
      };
      const list = this.byIri.get(def.id);
      if (list) list.push(c);
      else this.byIri.set(def.id, [c]);
      if (def.prefix && !def.termHasColon && !isKeyword(def.id)) this.prefixes.push({ term, iri: def.id });
    }
    for (const list of this.byIri.values()) list.sort((a, b) => compareShortestLeast(a.term, b.term));
  }

  expandAttr(term: string): string {
    return this.memoised(this.memo.expand, term, () => this.expand(term));
  }

  expandType(term: string): string {
    // @type values are expanded vocab-relative too (JSON-LD 1.1 API §5.1.2, step 13.4.4.4); with no
    // document base the result is the same as for attribute names, so both share one memo.
    return this.memoised(this.memo.expand, term, () => this.expand(term));
  }

  compactAttr(iri: string): string {
    return this.memoised(this.memo.compactAttr, iri, () => this.compact(iri, ATTR_CONTAINERS, false));
  }

  compactType(iri: string): string {
    return this.memoised(this.memo.compactType, iri, () => this.compact(iri, TYPE_CONTAINERS, true));
  }

  private memoised(memo: Map<string, string>, k: string, compute: () => string): string {
    let v = memo.get(k);
    if (v === undefined) {
      v = compute();
      if (memo.size >= MAX_MEMO) memo.clear();
      memo.set(k, v);
    }
    return v;
  }

  /** A name the @context gives no IRI for (mapped to null, or no @vocab) is returned unchanged. */
  private expand(term: string): string {
    return expandIri(this.active, term, true) ?? term;
  }

  private compact(iri: string, containers: readonly string[], isType: boolean): string {
    const candidates = this.byIri.get(iri);
    if (isKeyword(iri)) {
      // Keyword aliases (e.g. "id" for @id): JSON-LD picks a plain alias term.
      return candidates?.find((c) => c.containerKey === '@none' && c.typeSlot === '@none')?.term ?? iri;
    }
    if (candidates) {
      for (const container of containers) {
        for (const pref of PREFS) {
          const hit = candidates.find((c) => c.containerKey === container && c.typeSlot === pref);
          if (hit) return hit.term;
        }
      }
      // NGSI-LD compacts names, not values (clause 5.5.7): a term whose @type or @container would not
      // fit a node value (e.g. "observedAt": {"@type": "DateTime"}) is still that IRI's term.
      const any = candidates.find((c) => !c.reverse);
      if (any) return any.term;
    }
    const vocab = this.active.vocab;
    if (vocab !== null && iri.startsWith(vocab) && iri.length > vocab.length) {
      const suffix = iri.slice(vocab.length);
      if (!this.active.terms.has(suffix)) return suffix;
    }
    // Compact IRI with a prefix term (clause 5.5.7 "appropriate term prefixing"), shortest then least.
    let choice: string | null = null;
    for (const { term, iri: p } of this.prefixes) {
      if (iri.length <= p.length || !iri.startsWith(p)) continue;
      const curie = `${term}:${iri.slice(p.length)}`;
      const clash = this.active.terms.get(curie);
      const usable = clash === undefined || (isType && clash.id === iri);
      if (usable && (choice === null || compareShortestLeast(curie, choice) < 0)) choice = curie;
    }
    // Clause 5.5.7: "in the event that no matching term is found … implementations shall render Fully Qualified Names".
    return choice ?? iri;
  }
}
