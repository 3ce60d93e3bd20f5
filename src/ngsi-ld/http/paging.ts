// Pagination pointers (clause 5.5.9; HTTP binding 6.3.10): Link headers (RFC 8288) with rel="prev"
// and rel="next" that repeat the request with another offset, beside NGSILD-Results-Count.
import type { FastifyReply } from 'fastify';

export interface PageAt {
  limit: number;
  offset: number;
}

/** Adds a link-value to the response's Link header (the @context link and the page links share it). */
export function addLink(reply: FastifyReply, value: string): void {
  const prev = reply.getHeader('link');
  reply.header('Link', prev ? `${String(prev)}, ${value}` : value);
}

/**
 * Sets rel="prev" unless this is the first page and rel="next" when more elements follow (clause
 * 5.5.9.1: the last page has only prev). `url` is the request URL; its path is kept, the query is
 * rebuilt from the parsed parameters with limit and offset set, so each pointer works on its own.
 */
export function pageLinks(reply: FastifyReply, url: string, query: Record<string, string>, page: PageAt, more: boolean): void {
  if (page.limit === 0 || (page.offset === 0 && !more)) return;
  const path = url.split('?')[0];
  const at = (offset: number): string => {
    const qs = { ...query, limit: String(page.limit), offset: String(offset) };
    return `<${path}?${Object.entries(qs).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}>`;
  };
  const links: string[] = [];
  if (page.offset > 0) links.push(`${at(Math.max(0, page.offset - page.limit))}; rel="prev"`);
  if (more) links.push(`${at(page.offset + page.limit)}; rel="next"`);
  addLink(reply, links.join(', '));
}
