// Starter content for a new installation with the demo: one participatory budget process of the
// city, open for proposals from the first start on (dates relative to it), linked to the strategy's
// participation project. Loaded only into a store without processes.
import type { Clock } from '../core/clock.ts';
import type { Process } from './participation.model.ts';
import type { ParticipationStore } from './participation.port.ts';

export async function loadParticipationStarter(store: ParticipationStore, clock: Clock, projectExists: (slug: string) => Promise<boolean>): Promise<boolean> {
  if ((await store.listProcesses()).length > 0) return false;
  const now = clock.now();
  const day = (d: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + d)).toISOString();
  const p: Process = {
    slug: 'buergerhaushalt', title: { de: 'Bürgerhaushalt: Ideen für die Stadtteile', en: 'Participatory budget: ideas for the districts' },
    description: {
      de: 'Die Stadt stellt 100.000 Euro für Ideen aus der Bürgerschaft bereit. Machen Sie Vorschläge, unterstützen und kommentieren Sie die Vorschläge anderer. Die Verwaltung schätzt die Kosten; danach verteilen alle Teilnehmenden das Budget.\n\nDieses Verfahren ist Beispielinhalt der Demo-Installation.',
      en: 'The city provides 100,000 euros for ideas from its citizens. Make proposals, support and comment on other people\'s. The administration estimates the costs; then everyone taking part shares out the budget.\n\nThis process is sample content of the demo installation.',
    },
    phases: [
      { kind: 'information', start: day(-14), end: day(-1) }, { kind: 'participation', start: day(-1), end: day(30) },
      { kind: 'evaluation', start: day(30), end: day(44) }, { kind: 'voting', start: day(44), end: day(58) }, { kind: 'result', start: day(58), end: day(120) },
    ],
    categories: ['Verkehr', 'Grün und Umwelt', 'Digitales', 'Soziales und Kultur'], budget: 100_000,
    area: { type: 'Polygon', coordinates: [[[7.13, 51.49], [7.28, 51.49], [7.28, 51.58], [7.13, 51.58], [7.13, 51.49]]] },
    createdAt: now.toISOString(), modifiedAt: now.toISOString(),
  };
  if (await projectExists('digitale-buergerbeteiligung')) p.projectSlug = 'digitale-buergerbeteiligung';
  await store.createProcess(p);
  return true;
}
