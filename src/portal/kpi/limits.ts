// EU air-quality limit values (Directive 2008/50/EC, Annex XI) for the pollutants the sensors
// measure, in µg/m³: the annual mean and, where one exists, the short-term (hourly or daily) mean.
export interface Limit {
  annual: number;
  short?: { value: number; per: 'hourly' | 'daily' };
}

export const EU_LIMITS: Record<string, Limit> = {
  no2: { annual: 40, short: { value: 200, per: 'hourly' } },
  pm10: { annual: 40, short: { value: 50, per: 'daily' } },
  pm25: { annual: 25 },
};

export type LimitLevel = 'below' | 'aboveAnnual' | 'aboveShort';

/** Where a value stands against the attribute's limits; undefined when it has none. */
export function limitLevel(attr: string, value: number): { level: LimitLevel; limit: Limit } | undefined {
  const limit = EU_LIMITS[attr];
  if (!limit) return undefined;
  if (limit.short && value > limit.short.value) return { level: 'aboveShort', limit };
  if (value > limit.annual) return { level: 'aboveAnnual', limit };
  return { level: 'below', limit };
}
