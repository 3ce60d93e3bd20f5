// Location headers of created resources (entities, subscriptions, @contexts, temporal entities).
/**
 * An id as one path segment of a Location header (RFC 3986 3.3): only what a segment may not hold
 * is percent-encoded, so ':' and '@' (and the sub-delimiters) stay as they are. Clients that take
 * the id from the Location header (FIWARE ngsijs) then get it back unchanged.
 */
export function pathSegment(id: string): string {
  return encodeURIComponent(id).replace(/%(?:3A|40|24|26|2B|2C|3B|3D)/g, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
}
