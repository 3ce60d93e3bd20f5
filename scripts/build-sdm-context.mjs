// Builds contexts/smart-data-models/smartdatamodels.context.jsonld, the general Smart Data Models
// @context that Drehscheibe preloads under https://smartdatamodels.org/context.jsonld, by merging the
// per-domain contexts of the same folder. A term several domains define differently takes the
// definition most domains give (ties: the first domain in alphabetical order), as the general context
// maps shared properties (name, source, dataProvider, …) to https://smartdatamodels.org/<term>.
// Usage: node scripts/build-sdm-context.mjs [--check]   (--check: exit 1 when the file is not up to date)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../contexts/smart-data-models/', import.meta.url));
const OUT = 'smartdatamodels.context.jsonld';
const domains = readdirSync(dir).filter((f) => /^dataModel\..+\.context\.jsonld$/.test(f)).sort();
const defs = new Map(); // term → Map(definition JSON → [domains])
for (const f of domains) {
  const ctx = JSON.parse(readFileSync(dir + f, 'utf8'))['@context'];
  for (const [term, def] of Object.entries(ctx)) {
    if (!defs.has(term)) defs.set(term, new Map());
    const byDef = defs.get(term);
    const key = JSON.stringify(def);
    if (!byDef.has(key)) byDef.set(key, []);
    byDef.get(key).push(f.slice('dataModel.'.length, -'.context.jsonld'.length));
  }
}
const merged = {};
const conflicts = [];
for (const term of [...defs.keys()].sort()) {
  const options = [...defs.get(term).entries()];
  // Most domains first; Map order (domains read alphabetically) breaks ties.
  options.sort((a, b) => b[1].length - a[1].length);
  merged[term] = JSON.parse(options[0][0]);
  if (options.length > 1) conflicts.push(`${term}: ${options.map(([d, ds]) => `${ds.join('+')} → ${d}`).join(' | ')}`);
}
const text = JSON.stringify({ '@context': merged }, null, 4);
if (process.argv.includes('--check')) {
  const current = readFileSync(dir + OUT, 'utf8');
  if (current !== text) { console.error(`${OUT} is not up to date; run node scripts/build-sdm-context.mjs`); process.exit(1); }
  console.log(`${OUT} is up to date`);
} else {
  writeFileSync(dir + OUT, text);
  console.log(`${OUT}: ${Object.keys(merged).length} terms from ${domains.length} domain contexts; ${conflicts.length} terms defined differently by several domains (the most common definition wins):`);
  for (const c of conflicts) console.log(`  ${c}`);
}
