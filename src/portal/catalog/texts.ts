// The catalogue pages' message catalogs by language (kept apart from the portal's de.ts/en.ts).
import { catalogDe, type CatalogMessages } from '../i18n/catalog.de.ts';
import { catalogEn } from '../i18n/catalog.en.ts';
import type { Lang } from '../paths.ts';

export type { CatalogMessages };
export const CATALOG_TEXTS: Record<Lang, CatalogMessages> = { de: catalogDe, en: catalogEn };
