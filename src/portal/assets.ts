// Static assets of the portal: KERN UX CSS and fonts, the Herne theme, Leaflet's CSS and the client
// scripts (TypeScript bundled by esbuild at start-up). Each file is fingerprinted (content hash in its
// name), kept in memory with gzip and brotli variants, and served as immutable.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export interface Asset {
  /** Fingerprinted file name, served at /assets/<name>. */
  name: string;
  type: string;
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
  etag: string;
}

/** Logical name (e.g. "kern.css") → fingerprinted asset; byName serves requests. */
export interface AssetMap {
  url(logical: string): string;
  byName: Map<string, Asset>;
}

export const ASSET_PREFIX = '/assets/';
const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', woff2: 'font/woff2', png: 'image/png' };

function fingerprint(logical: string, body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const dot = logical.lastIndexOf('.');
  const ext = logical.slice(dot + 1);
  const name = `${logical.slice(0, dot).replace(/[^A-Za-z0-9_-]/g, '-')}.${hash}.${ext}`;
  const a: Asset = { name, type: TYPES[ext] ?? 'application/octet-stream', body, etag: `"${hash}"` };
  if (ext === 'css' || ext === 'js') {
    a.gzip = gzipSync(body, { level: 9 });
    // Quality 9 rather than 11: about as small, and start-up stays quick on a busy machine.
    a.br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  }
  return a;
}

/** Bundles a client script; `define` replaces global names by constants (e.g. an asset's fingerprinted URL). */
async function bundle(entry: string, define: Record<string, string> = {}): Promise<Buffer> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [entry], bundle: true, minify: true, write: false, format: 'iife', target: ['es2019'], platform: 'browser', legalComments: 'none', logLevel: 'silent',
    define: Object.fromEntries(Object.entries(define).map(([k, v]) => [k, JSON.stringify(v)])),
  });
  return Buffer.from(out.outputFiles[0]!.contents);
}

/** Rewrites url(./x) references in a CSS file to fingerprinted assets found next to it. */
function rewriteCss(css: string, baseDir: string, add: (logical: string, body: Buffer) => Asset): string {
  return css.replace(/url\((["']?)(\.?\/?[A-Za-z0-9_./-]+\.(woff2|png))\1\)/g, (_m, _q, rel: string) => {
    const file = join(baseDir, rel);
    const a = add(rel.split('/').pop()!, readFileSync(file));
    return `url("${ASSET_PREFIX}${a.name}")`;
  });
}

/** The characters of the subset fonts in src/portal/fonts (keep in step with scripts/subset-fonts.mjs). */
const UNICODE_RANGE = 'U+0020-007E, U+00A0-017F, U+2010-2027, U+2030-203A, U+20AC, U+2080-2089, U+2192, U+2212, U+2264-2265';
const FACES: Array<[string, number]> = [['Regular', 400], ['SemiBold', 600], ['Bold', 700]];

/**
 * Fira Sans (KERN's typeface) in the three weights the pages use (no italics: the pages set none).
 * A full face is 130-140 KB, most of a first visit; the Latin subset (src/portal/fonts) about 32 KB.
 * Both are declared: browsers check the last-declared face first, so the full face is fetched only
 * for a character outside the subset. font-display: swap shows text at once.
 */
function fontsCss(kernFonts: string, add: (logical: string, body: Buffer) => Asset): string {
  const face = (weight: number, url: string, range?: string) =>
    `@font-face{font-family:'Fira Sans';font-style:normal;font-weight:${weight};font-display:swap;src:url("${url}") format('woff2')${range ? `;unicode-range:${range}` : ''}}`;
  const out: string[] = [];
  for (const [name, weight] of FACES) out.push(face(weight, ASSET_PREFIX + add(`FiraSans-${name}.woff2`, readFileSync(join(kernFonts, `FiraSans-${name}.woff2`))).name));
  for (const [name, weight] of FACES) out.push(face(weight, ASSET_PREFIX + add(`FiraSans-${name}-latin.woff2`, readFileSync(join(HERE, 'fonts', `FiraSans-${name}-latin.woff2`))).name, UNICODE_RANGE));
  return out.join('\n');
}

let cached: Promise<AssetMap> | undefined;

/** Builds the assets once per process (every app built in a test run shares them). */
export function loadAssets(): Promise<AssetMap> {
  cached ??= build();
  return cached;
}

async function build(): Promise<AssetMap> {
  const logicalToName = new Map<string, string>();
  const byName = new Map<string, Asset>();
  const add = (logical: string, body: Buffer): Asset => {
    const a = fingerprint(logical, body);
    byName.set(a.name, a);
    logicalToName.set(logical, a.name);
    return a;
  };
  const kernDir = dirname(require.resolve('@kern-ux/native/dist/kern.min.css'));
  add('kern.css', readFileSync(join(kernDir, 'kern.min.css')));
  add('fonts.css', Buffer.from(fontsCss(join(kernDir, 'fonts', 'fira-sans'), add)));
  add('theme.css', readFileSync(join(HERE, 'theme.css')));
  add('catalog.css', readFileSync(join(HERE, 'catalog', 'catalog.css')));
  const leafletDir = dirname(require.resolve('leaflet/dist/leaflet.css'));
  const leafletCss = add('leaflet.css', Buffer.from(rewriteCss(readFileSync(join(leafletDir, 'leaflet.css'), 'utf8'), leafletDir, add)));
  // The map script loads Leaflet's stylesheet itself: pages need not block their first paint on it.
  add('map.js', await bundle(join(HERE, 'client', 'map.ts'), { LEAFLET_CSS: ASSET_PREFIX + leafletCss.name }));
  add('uplot.css', readFileSync(require.resolve('uplot/dist/uPlot.min.css')));
  add('chart.js', await bundle(join(HERE, 'client', 'chart.ts')));
  add('reports.css', readFileSync(join(HERE, '..', 'reports', 'client', 'reports.css')));
  add('reports.js', await bundle(join(HERE, '..', 'reports', 'client', 'reports.client.ts')));
  return {
    byName,
    url(logical: string) {
      const n = logicalToName.get(logical);
      if (!n) throw new Error(`unknown asset ${logical}`);
      return ASSET_PREFIX + n;
    },
  };
}
