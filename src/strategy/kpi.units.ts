// A KPI's unit as people write it ("kWh", "%", "µg/m³", or the code itself) and its UN/CEFACT
// Common Code (Recommendation 20), which the KeyPerformanceIndicator entity carries as kpiValue's
// unitCode — the NGSI-LD way (ETSI GS CIM 009, clause 4.5.2) that the Smart Data Models use too.

/** [UN/CEFACT code, symbol, other spellings]. */
const TABLE: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['C62', '', ['1', 'one', 'Anzahl', 'count']],
  ['P1', '%', ['percent', 'Prozent']],
  ['KWH', 'kWh', []],
  ['MWH', 'MWh', []],
  ['WHR', 'Wh', []],
  ['WTT', 'W', []],
  ['KWT', 'kW', []],
  ['MAW', 'MW', []],
  ['GQ', 'µg/m³', ['ug/m3', 'μg/m³', 'µg/m3']],
  ['2N', 'dB', ['dB(A)', 'dBA']],
  ['CEL', '°C', ['C']],
  ['KMH', 'km/h', []],
  ['MTS', 'm/s', []],
  ['MTR', 'm', []],
  ['KMT', 'km', []],
  ['MTK', 'm²', ['m2']],
  ['MTQ', 'm³', ['m3']],
  ['LTR', 'l', ['L']],
  ['KGM', 'kg', []],
  ['TNE', 't', []],
  ['SEC', 's', []],
  ['MIN', 'min', []],
  ['HUR', 'h', []],
  ['DAY', 'd', ['Tage']],
  ['A24', 'cd/m²', []],
  ['HPA', 'hPa', []],
];

const BY_CODE = new Map(TABLE.map(([code, symbol]) => [code, symbol]));
const BY_SPELLING = new Map<string, string>();
for (const [code, symbol, others] of TABLE) for (const s of [symbol, ...others]) BY_SPELLING.set(s, code);

/**
 * The UN/CEFACT code of a KPI's unit: the unit itself when it is a known code ("KWH"), the code of a
 * known symbol ("kWh" → KWH, "%" → P1, "" → C62 for counts and other plain numbers), else undefined
 * (a unit without a code, e.g. "Bänke", stays text only).
 */
export function kpiUnitCode(unit: string): string | undefined {
  const u = unit.trim();
  if (BY_CODE.has(u)) return u;
  return BY_SPELLING.get(u);
}

/** The unit as shown next to a value: the symbol of a code ("KWH" → "kWh"), else the unit as written. */
export function kpiUnitSymbol(unit: string): string {
  const u = unit.trim();
  return BY_CODE.get(u) ?? u;
}
