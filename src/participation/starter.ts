// Starter content for a new installation with the demo: one participatory budget process of the
// city, open for proposals from the first start on (dates relative to it), linked to the strategy's
// participation project, with a short survey. Loaded only into a store without processes.
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
  const two = (de: string, en: string) => ({ de, en });
  await store.createSurvey({
    id: 'stadtteile-2027', processSlug: p.slug, title: two('Was brauchen die Stadtteile?', 'What do the districts need?'),
    description: two('Drei kurze Fragen, bevor die Vorschläge gesammelt werden.', 'Three short questions before the proposals are collected.'),
    questions: [
      { id: 'q1', kind: 'single', text: two('In welchem Stadtbezirk wohnen Sie?', 'Which borough do you live in?'), required: true, choices: [two('Herne-Mitte', 'Herne-Mitte'), two('Wanne', 'Wanne'), two('Eickel', 'Eickel'), two('Sodingen', 'Sodingen'), two('anderswo', 'elsewhere')] },
      { id: 'q2', kind: 'multiple', text: two('Wofür sollte das Geld vor allem reichen?', 'What should the money mainly go to?'), required: false, choices: [two('Grün und Schatten', 'Green and shade'), two('Radwege', 'Cycle lanes'), two('Treffpunkte', 'Meeting places'), two('Spielplätze', 'Playgrounds')] },
      { id: 'q3', kind: 'scale', text: two('Wie wohl fühlen Sie sich in Ihrem Stadtteil?', 'How much do you like your district?'), required: true, scale: { low: two('gar nicht', 'not at all'), high: two('sehr', 'very much') } },
      { id: 'q4', kind: 'text', text: two('Was fehlt Ihnen am meisten?', 'What do you miss most?'), required: false },
    ],
    resultsPublished: false, createdAt: now.toISOString(), modifiedAt: now.toISOString(),
  });
  return true;
}
