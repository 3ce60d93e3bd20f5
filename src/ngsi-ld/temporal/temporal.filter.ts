// q and geo-queries of a temporal query (clause 5.7.4, 6.18.3.2) evaluated against the attribute
// instances inside the query's time window, not against the entity's current state: "when was
// speed above 25 last week" selects the entities whose speed had an instance above 25 in that week.
// Each term of q holds when at least one instance of its attribute in the window satisfies it; the
// terms combine with the query's and/or. scopeQ stays on the current state (scopes have no history).
import type { AttrInstance, EntityRecord, GeoFilter } from '../../storage/port.ts';
import type { TemporalEntity, TemporalSeries, TemporalStore, TimeWindow } from '../../storage/port.temporal.ts';
import type { QNode } from '../../storage/query-ast.ts';
import { evaluateQ } from '../subscriptions/q.evaluate.ts';

/** Instances read per round trip while looking for one that satisfies a term. */
const CHUNK = 2000;

export class WindowMatcher {
  constructor(private readonly store: TemporalStore, private readonly window: TimeWindow, private readonly q?: QNode, private readonly geo?: GeoFilter) {}

  async matches(e: TemporalEntity): Promise<boolean> {
    if (this.geo && !(await this.anyInstance(e, this.geo.property, (i) => i.value !== undefined && i.value !== null && this.geo!.predicate(i.value)))) return false;
    return this.q ? this.node(e, this.q) : true;
  }

  private async node(e: TemporalEntity, n: QNode): Promise<boolean> {
    switch (n.kind) {
      case 'and':
        for (const i of n.items) if (!(await this.node(e, i))) return false;
        return true;
      case 'or':
        for (const i of n.items) if (await this.node(e, i)) return true;
        return false;
      default: {
        const attr = n.path.attr;
        const probe: EntityRecord = { id: e.id, types: e.types, createdAt: e.createdAt, modifiedAt: e.createdAt, attrs: {} };
        return this.anyInstance(e, attr, (inst) => {
          probe.attrs = { [attr]: [inst] };
          return evaluateQ(n, probe);
        });
      }
    }
  }

  /** Whether some non-deleted instance of attr (any datasetId) in the window passes test; stops at the first. */
  private async anyInstance(e: TemporalEntity, attr: string, test: (i: AttrInstance) => boolean): Promise<boolean> {
    const series: TemporalSeries[] = e.series.filter((s) => s.attr === attr);
    for (const s of series) {
      let after: string | undefined;
      for (;;) {
        const page = await this.store.instances(s, { window: this.window, limit: CHUNK, after });
        for (const i of page) if (!i.deleted && test(i.instance)) return true;
        if (page.length < CHUNK) break;
        after = page[page.length - 1].cursor;
      }
    }
    return false;
  }
}
