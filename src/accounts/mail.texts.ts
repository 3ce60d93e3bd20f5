// The accounts' mails (password reset, invitation, e-mail confirmation) in the person's language:
// German by default, English for a person who registered or last logged in on the English portal.
// Links lead to the page in that language (the portal's stable addresses, docs/admin.md).
import type { MailLang, UserRecord } from '../storage/port.accounts.ts';

export interface MailText { subject: string; text: string }

/** The language of a form post or JSON body (`_lang` from the portal's forms, `lang` in JSON); undefined when not said. */
export function mailLangOf(b: Record<string, unknown>): MailLang | undefined {
  const v = b._lang ?? b.lang;
  return v === 'en' || v === 'de' ? v : undefined;
}

export function langOf(u: Pick<UserRecord, 'lang'>): MailLang {
  return u.lang ?? 'de';
}

const RESET_PAGE: Record<MailLang, string> = { de: '/konto/passwort-zuruecksetzen', en: '/en/account/reset-password' };

export function resetMail(lang: MailLang, u: UserRecord, publicUrl: string, token: string, minutes: number, invitation: boolean): MailText {
  const link = `${publicUrl}${RESET_PAGE[lang]}?token=${token}`;
  if (lang === 'en') {
    return invitation ? {
      subject: 'Your account: set a password',
      text: `Hello ${u.displayName},\n\nan account has been set up for you (log in with ${u.email}). `
        + `Set your password with this link; it is valid for ${minutes} minutes and once only:\n\n${link}\n\n`
        + 'If the link has expired, ask for a new one under "Forgotten password" on the login page.\n',
    } : {
      subject: 'Reset your password',
      text: `Hello ${u.displayName},\n\nsomebody (hopefully you) asked to reset the password of your account. `
        + `Set a new password with this link; it is valid for ${minutes} minutes and once only:\n\n${link}\n\n`
        + 'If you did not ask for this, ignore this message; your password stays as it is.\n',
    };
  }
  return invitation ? {
    subject: 'Ihr Zugang: Passwort festlegen',
    text: `Hallo ${u.displayName},\n\nfür Sie wurde ein Zugang eingerichtet (Anmeldung mit ${u.email}). `
      + `Mit diesem Link legen Sie Ihr Passwort fest; er gilt ${minutes} Minuten und nur einmal:\n\n${link}\n\n`
      + 'Ist der Link abgelaufen, fordern Sie auf der Anmeldeseite unter „Passwort vergessen“ einen neuen an.\n',
  } : {
    subject: 'Passwort zurücksetzen',
    text: `Hallo ${u.displayName},\n\njemand (hoffentlich Sie) hat verlangt, das Passwort Ihres Kontos zurückzusetzen. `
      + `Mit diesem Link legen Sie ein neues Passwort fest; er gilt ${minutes} Minuten und nur einmal:\n\n${link}\n\n`
      + 'Wenn Sie das nicht verlangt haben, ignorieren Sie diese Nachricht; Ihr Passwort bleibt unverändert.\n',
  };
}

/** Confirmation of a (new) address set by an operator: POST /konto/email-bestaetigen. */
export function confirmAddressMail(lang: MailLang, u: UserRecord, publicUrl: string, token: string): MailText {
  const link = `${publicUrl}/konto/email-bestaetigen?token=${token}`;
  return lang === 'en' ? {
    subject: 'Confirm your e-mail address',
    text: `Hello ${u.displayName},\n\nplease confirm that this address belongs to your account; the link is valid for seven days and once only:\n\n`
      + `${link}\n\nIf you have no account, ignore this message.\n`,
  } : {
    subject: 'E-Mail-Adresse bestätigen',
    text: `Hallo ${u.displayName},\n\nbitte bestätigen Sie, dass diese Adresse zu Ihrem Zugang gehört; der Link gilt sieben Tage und nur einmal:\n\n`
      + `${link}\n\nWenn Sie keinen Zugang haben, ignorieren Sie diese Nachricht.\n`,
  };
}
