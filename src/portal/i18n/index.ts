// The message catalogs by language.
import { de, type Messages } from './de.ts';
import { en } from './en.ts';
import type { Lang } from '../paths.ts';

export type { Messages };
export const CATALOGS: Record<Lang, Messages> = { de, en };
