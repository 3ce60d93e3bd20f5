// The data-moving commands behind `drehscheibe export|import` (main.ts opens the store): export
// streams NDJSON to a file or stdout, import reads it back (docs/scaling.md).
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { StoragePort } from '../port.ts';
import { exportLines } from './transfer.export.ts';
import { importLines, wroteNothing } from './transfer.import.ts';
import type { ModuleTransfer } from './transfer.format.ts';

export const COMMANDS = ['export', 'import', 'backup'];

/** Runs a command; returns the process exit code. Messages go to stderr (stdout may carry the export). */
export async function runCommand(command: string, args: string[], s: StoragePort, modules: ModuleTransfer[] = []): Promise<number> {
  if (command === 'export') {
    const out = args.find((a) => a.startsWith('--out='))?.slice(6);
    const sink = out ? createWriteStream(out) : process.stdout;
    let n = 0;
    for await (const line of exportLines(s, undefined, modules)) {
      if (!sink.write(JSON.stringify(line) + '\n')) await once(sink, 'drain');
      if (line.kind === 'end') console.error(`exported from ${s.engine}: ${JSON.stringify((line as { counts: unknown }).counts)}`);
      n++;
    }
    if (out) { sink.end(); await once(sink, 'finish'); }
    return n > 0 ? 0 : 1;
  }
  if (command === 'import') {
    const file = args.find((a) => !a.startsWith('-'));
    if (!file) { console.error('usage: drehscheibe import <file.ndjson> (- for stdin)'); return 2; }
    const input = file === '-' ? process.stdin : createReadStream(file);
    const rl = createInterface({ input, crlfDelay: Infinity });
    async function* parsed() {
      let no = 0;
      for await (const text of rl) {
        no++;
        if (!text.trim()) continue;
        try {
          yield JSON.parse(text) as unknown;
        } catch {
          throw new Error(`line ${no} is not JSON`);
        }
      }
    }
    try {
      const counts = await importLines(s, parsed(), modules);
      console.error(`imported into ${s.engine}: ${JSON.stringify(counts)}`);
      if (wroteNothing(counts)) console.error('nothing new: everything in this file is in the target already; the target is unchanged');
      else if (counts.skipped) console.error(`${counts.skipped} records were in the target already and were left as they are (skipped)`);
      return 0;
    } catch (e) {
      console.error(`import stopped: ${(e as Error).message} (entities and history imported before this point stay)`);
      return 1;
    }
  }
  console.error(`unknown command ${command}`);
  return 2;
}
