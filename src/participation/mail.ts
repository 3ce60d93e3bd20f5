// A participation mail in both languages; the sender picks the one of the person it goes to
// (German by default, English for a person who registered or last logged in on the English portal).
export interface LocalMail {
  de: { subject: string; text: string };
  en: { subject: string; text: string };
  /** Header fields for either language (e.g. unsubscribeHeaders). */
  headers?: Record<string, string>;
}

/**
 * RFC 2369 / RFC 8058: the unsubscribe link as a header, and one-click unsubscribing by a POST to it
 * (mail clients send `List-Unsubscribe=One-Click`; the link's signed token is all it needs).
 */
export function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
