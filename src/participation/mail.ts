// A participation mail in both languages; the sender picks the one of the person it goes to
// (German by default, English for a person who registered or last logged in on the English portal).
export interface LocalMail {
  de: { subject: string; text: string };
  en: { subject: string; text: string };
}
