// Notification formats beyond clause 5.2.14's (normalized, keyValues, concise) that other API families
// register, e.g. the NGSIv2 layer's "x-ngsiv2-normalized" (Orion-LD's names): the matcher and the
// dispatcher stay the same, only the entities of a notification and its body are rendered differently.
import type { EntityRecord } from '../../storage/port.ts';
import type { Terms } from '../context/term-map.ts';

export interface NotificationFormat {
  /** One entity of the notification's data. `attrs`: the notified attributes (expanded IRIs), all when absent. */
  entity(e: EntityRecord, terms: Terms, attrs: string[] | undefined): Record<string, unknown>;
  /** The whole message: body, content type and extra headers. */
  message(sub: { id: string; tenant: string; format: string }, data: Array<Record<string, unknown>>): { body: string; contentType: string; headers?: Record<string, string> };
}

const formats = new Map<string, NotificationFormat>();

export function registerNotificationFormat(name: string, f: NotificationFormat): void {
  formats.set(name, f);
}

export function notificationFormat(name: string | undefined): NotificationFormat | undefined {
  return name === undefined ? undefined : formats.get(name);
}

export function extraFormats(): string[] {
  return [...formats.keys()];
}
