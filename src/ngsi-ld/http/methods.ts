// The HTTP methods each NGSI-LD resource defines (GS CIM 009 Table 6.2-1), collected from the routes as
// they are registered, so that a request with another method on an existing resource is answered
// 405 Method Not Allowed with an Allow header (RFC 9110 15.5.6) rather than 404.

/** Route patterns (`/ngsi-ld/v1/entities/:entityId`, `…/*`) with the methods registered on each. */
export class MethodsByPath {
  private readonly routes = new Map<string, { re: RegExp; methods: Set<string> }>();

  add(url: string, method: string | string[]): void {
    let r = this.routes.get(url);
    if (!r) {
      const re = new RegExp(`^${url.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}/?$`);
      this.routes.set(url, (r = { re, methods: new Set() }));
    }
    for (const m of Array.isArray(method) ? method : [method]) r.methods.add(m.toUpperCase());
  }

  /** The methods defined on the resource at `path` (sorted), or none when no route has that path. */
  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const { re, methods } of this.routes.values()) if (re.test(path)) for (const m of methods) out.add(m);
    return [...out].sort();
  }
}
