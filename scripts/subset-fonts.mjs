#!/usr/bin/env node
// Regenerates src/portal/fonts/: the three Fira Sans faces the portal uses (from @kern-ux/native),
// cut down to the Latin characters German and its neighbours need (about a fifth of the size). The
// pages declare the full faces too, so a character outside the subset still renders in Fira Sans.
// Usage: node scripts/subset-fonts.mjs   (needs the devDependency subset-font)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import subsetFont from 'subset-font';

const require = createRequire(import.meta.url);
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'portal', 'fonts');
const SRC = join(dirname(require.resolve('@kern-ux/native/dist/kern.min.css')), 'fonts', 'fira-sans');
// Keep in step with UNICODE_RANGE in src/portal/assets.ts.
const RANGES = [[0x20, 0x7e], [0xa0, 0x17f], [0x2010, 0x2027], [0x2030, 0x203a], [0x20ac, 0x20ac], [0x2080, 0x2089], [0x2192, 0x2192], [0x2212, 0x2212], [0x2264, 0x2265]];
let text = '';
for (const [a, b] of RANGES) for (let c = a; c <= b; c++) text += String.fromCodePoint(c);

for (const face of ['Regular', 'SemiBold', 'Bold']) {
  const full = readFileSync(join(SRC, `FiraSans-${face}.woff2`));
  const sub = await subsetFont(full, text, { targetFormat: 'woff2' });
  writeFileSync(join(OUT, `FiraSans-${face}-latin.woff2`), sub);
  console.log(`FiraSans-${face}: ${full.length} → ${sub.length} bytes`);
}
