// The migration files of a feature module's store, shared by both engines' module plumbing.
import { readdirSync } from 'node:fs';

/** The `NNN-name.sql` files of a migrations folder, in order. */
export function migrationFiles(dir: string): string[] {
  return readdirSync(dir).filter((x) => /^\d+-.*\.sql$/.test(x)).sort();
}
