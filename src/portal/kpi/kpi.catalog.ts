// The KPI pages' message catalogs by language.
import { kpiDe, type KpiMessages } from '../i18n/kpi.de.ts';
import { kpiEn } from '../i18n/kpi.en.ts';
import type { Lang } from '../paths.ts';

export type { KpiMessages };
export const KPI_TEXTS: Record<Lang, KpiMessages> = { de: kpiDe, en: kpiEn };
