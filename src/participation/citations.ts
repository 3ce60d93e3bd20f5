// Live data cited in user text: a line of its own `[[kennzahl:<slug>]]` (or `[[kpi:…]]`) or
// `[[sensor:<entity id>]]` names a KPI or a sensor; the text around it goes through the Markdown
// sanitiser as before, and the page renders the cited data itself (the user never writes HTML).
import { renderMarkdown } from './markdown.ts';

export type CiteKind = 'kpi' | 'sensor';

export interface CiteRef {
  kind: CiteKind;
  /** The KPI's slug or the entity's id, as written. */
  ref: string;
  /** Whether the reference has the shape of a slug or an entity id (else the page says it is unknown). */
  valid: boolean;
}

/** Rendered user text: sanitised HTML between cited data. */
export type RichPart = { html: string } | { cite: CiteRef };

/** Citations rendered per text; further lines of the kind stay as they were written. */
export const CITE_LIMIT = 5;

const LINE = /^ {0,3}\[\[(kennzahl|kpi|sensor):([^\]\s]{1,300})\]\]\s*$/i;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
// An entity id is a URI (NGSI-LD clause 4.6.2): a scheme, a colon, no spaces, at most 256 characters.
const ENTITY_ID = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"'`\\]{1,250}$/;

export const citeKey = (c: CiteRef): string => `${c.kind}:${c.ref}`;

/** The citation lines of a text, in order (at most CITE_LIMIT); lines in fenced code do not count. */
export function findCitations(text: string): CiteRef[] {
  const out: CiteRef[] = [];
  for (const p of split(text)) if ('cite' in p) out.push(p.cite);
  return out;
}

/** The text as sanitised HTML parts and citations. */
export function renderRich(text: string): RichPart[] {
  return split(text).map((p) => ('md' in p ? { html: renderMarkdown(p.md) } : p));
}

function split(text: string): Array<{ md: string } | { cite: CiteRef }> {
  const out: Array<{ md: string } | { cite: CiteRef }> = [];
  let buf: string[] = [];
  let fence: string | undefined;
  let cites = 0;
  const flush = () => {
    if (buf.some((l) => l.trim() !== '')) out.push({ md: buf.join('\n') });
    buf = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const f = FENCE.exec(line);
    if (fence) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && line.trim() === f[1]) fence = undefined;
      buf.push(line);
      continue;
    }
    if (f) { fence = f[1]; buf.push(line); continue; }
    const m = cites < CITE_LIMIT ? LINE.exec(line) : null;
    if (!m) { buf.push(line); continue; }
    flush();
    cites++;
    const kind: CiteKind = m[1]!.toLowerCase() === 'sensor' ? 'sensor' : 'kpi';
    const ref = m[2]!;
    out.push({ cite: { kind, ref, valid: kind === 'kpi' ? SLUG.test(ref) : ENTITY_ID.test(ref) } });
  }
  flush();
  return out;
}
