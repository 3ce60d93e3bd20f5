// The login, account and administration texts by language.
import { adminDe, type AdminMessages } from './admin.de.ts';
import { adminEn } from './admin.en.ts';
import type { Lang } from '../paths.ts';

export type { AdminMessages };
export const ADMIN_CATALOGS: Record<Lang, AdminMessages> = { de: adminDe, en: adminEn };
