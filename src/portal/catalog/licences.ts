// What a licence of the DCAT-AP.de licence vocabulary (http://dcat-ap.de/def/licenses/…) allows, in
// plain words for the dataset page: what you may do and what you must do. Not legal advice: the page
// always links to the licence text as well.
import type { Lang } from '../paths.ts';

export const LICENCE_BASE = 'http://dcat-ap.de/def/licenses/';

interface Plain {
  name: string;
  /** One or two sentences: what you may do, and the condition. */
  text: Record<Lang, string>;
  url: string;
}

const BY_DE = 'Sie dürfen die Daten frei nutzen, wenn Sie die Quelle nennen.';
const BY_EN = 'You may use the data freely if you name the source.';
const ZERO_DE = 'Sie dürfen die Daten ohne jede Bedingung nutzen, auch ohne die Quelle zu nennen.';
const ZERO_EN = 'You may use the data without any condition, even without naming the source.';

const PLAIN: Record<string, Plain> = {
  'dl-by-de/2.0': { name: 'Datenlizenz Deutschland – Namensnennung – Version 2.0', url: 'https://www.govdata.de/dl-de/by-2-0',
    text: { de: `${BY_DE} Sie dürfen sie auch verändern, weitergeben und kommerziell verwenden.`, en: `${BY_EN} You may also change them, pass them on and use them commercially.` } },
  'dl-zero-de/2.0': { name: 'Datenlizenz Deutschland – Zero – Version 2.0', url: 'https://www.govdata.de/dl-de/zero-2-0',
    text: { de: `${ZERO_DE} Sie dürfen sie verändern, weitergeben und kommerziell verwenden.`, en: `${ZERO_EN} You may change them, pass them on and use them commercially.` } },
  'dl-by-de/1.0': { name: 'Datenlizenz Deutschland – Namensnennung – Version 1.0', url: 'https://www.govdata.de/dl-de/by-1-0',
    text: { de: BY_DE, en: BY_EN } },
  'dl-by-nc-de/1.0': { name: 'Datenlizenz Deutschland – Namensnennung – nicht kommerziell – Version 1.0', url: 'https://www.govdata.de/dl-de/by-nc-1-0',
    text: { de: 'Sie dürfen die Daten nutzen, wenn Sie die Quelle nennen, aber nicht kommerziell.', en: 'You may use the data if you name the source, but not commercially.' } },
  'cc-by/4.0': { name: 'Creative Commons Namensnennung 4.0 International (CC BY 4.0)', url: 'https://creativecommons.org/licenses/by/4.0/deed.de',
    text: { de: `${BY_DE} Sie müssen auch die Lizenz nennen und sagen, ob Sie etwas verändert haben.`, en: `${BY_EN} You must also name the licence and say whether you changed anything.` } },
  'cc-by-sa/4.0': { name: 'Creative Commons Namensnennung – Weitergabe unter gleichen Bedingungen 4.0 (CC BY-SA 4.0)', url: 'https://creativecommons.org/licenses/by-sa/4.0/deed.de',
    text: { de: 'Sie dürfen die Daten frei nutzen, wenn Sie die Quelle nennen und was Sie daraus machen unter derselben Lizenz weitergeben.', en: 'You may use the data freely if you name the source and share what you make from them under the same licence.' } },
  'cc-by-nd/4.0': { name: 'Creative Commons Namensnennung – Keine Bearbeitungen 4.0 (CC BY-ND 4.0)', url: 'https://creativecommons.org/licenses/by-nd/4.0/deed.de',
    text: { de: 'Sie dürfen die Daten unverändert weitergeben, wenn Sie die Quelle nennen. Veränderte Fassungen dürfen Sie nicht verbreiten.', en: 'You may pass the data on unchanged if you name the source. You may not distribute changed versions.' } },
  'cc-by-nc/4.0': { name: 'Creative Commons Namensnennung – Nicht kommerziell 4.0 (CC BY-NC 4.0)', url: 'https://creativecommons.org/licenses/by-nc/4.0/deed.de',
    text: { de: 'Sie dürfen die Daten nutzen, wenn Sie die Quelle nennen, aber nicht kommerziell.', en: 'You may use the data if you name the source, but not commercially.' } },
  'cc-zero': { name: 'Creative Commons Zero (CC0 1.0)', url: 'https://creativecommons.org/publicdomain/zero/1.0/deed.de', text: { de: ZERO_DE, en: ZERO_EN } },
  'odbl': { name: 'Open Data Commons Open Database License (ODbL)', url: 'https://opendatacommons.org/licenses/odbl/1-0/',
    text: { de: 'Sie dürfen die Daten frei nutzen, wenn Sie die Quelle nennen und eine veränderte Datenbank unter derselben Lizenz weitergeben.', en: 'You may use the data freely if you name the source and share a changed database under the same licence.' } },
  'odby': { name: 'Open Data Commons Attribution License (ODC-By)', url: 'https://opendatacommons.org/licenses/by/1-0/', text: { de: BY_DE, en: BY_EN } },
  'odcpddl': { name: 'Open Data Commons Public Domain Dedication and Licence (PDDL)', url: 'https://opendatacommons.org/licenses/pddl/1-0/', text: { de: ZERO_DE, en: ZERO_EN } },
  'officialWork': { name: 'Amtliches Werk, lizenzfrei nach § 5 UrhG', url: 'https://www.gesetze-im-internet.de/urhg/__5.html',
    text: { de: 'Amtliches Werk ohne Urheberrecht: Sie dürfen die Daten frei nutzen. Verändern Sie sie, nennen Sie bitte die Quelle.', en: 'An official work without copyright: you may use the data freely. If you change them, please name the source.' } },
};

export interface LicenceView {
  /** The licence IRI (link target for machines) and the short key (e.g. "dl-by-de/2.0"). */
  iri: string;
  key: string;
  name: string;
  /** Plain words, or undefined when we have none for this licence. */
  plain?: string;
  url: string;
}

/** The key of a licence IRI or short form ("dl-by-de/2.0"). */
export function licenceKey(iriOrKey: string): string {
  return iriOrKey.startsWith(LICENCE_BASE) ? iriOrKey.slice(LICENCE_BASE.length) : iriOrKey;
}

export function licenceView(iriOrKey: string, lang: Lang, label?: string): LicenceView {
  const key = licenceKey(iriOrKey);
  const p = PLAIN[key];
  return { iri: LICENCE_BASE + key, key, name: p?.name ?? label ?? key, plain: p?.text[lang], url: p?.url ?? LICENCE_BASE + key };
}

/** The licences the editor offers first (the common open ones); others come from the service's vocabulary. */
export const COMMON_LICENCES = Object.keys(PLAIN);
