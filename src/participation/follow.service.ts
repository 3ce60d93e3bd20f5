// Following: a person follows a process, a proposal or a strategy project and is told of new
// proposals, comments, the city's answers and phase changes — by mail at once, or in a daily digest
// (their choice). Every mail carries a signed one-click unsubscribe link (no login). Moderators get a
// mail about a new report, at most one per reported item and hour (a mark in the database, so
// several nodes send one).
import { unsubscribeHeaders, type LocalMail } from './mail.ts';
import { createHmac } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Comment, Proposal, Report, Text2 } from './participation.model.ts';
import { FOLLOW_KINDS, NOTIFY_MODES, type Follow, type FollowKind, type GuestContribution, type NotifyMode } from './guests-follows.model.ts';
import type { ParticipationStore } from './participation.port.ts';
import { currentPhase } from './participation.rules.ts';
import { ParticipationProblem, invalid, notFound, type ParticipationEvent, type ParticipationService, type Person } from './participation.service.ts';
import { p as problem } from './participation.validate.ts';

export interface FollowDeps {
  store: ParticipationStore;
  clock: Clock;
  service: ParticipationService;
  publicUrl: string;
  /** A strategy project's title, undefined when there is no such project. */
  projectTitle(slug: string): Promise<Text2 | undefined>;
  /** Mails a person (through the portal's transport; errors logged by the caller). */
  mail(userId: string, m: LocalMail): Promise<void>;
  /** The accounts that moderate participation (moderator or operator role for the portal's tenant). */
  moderators(): Promise<string[]>;
}

const PHASE_NAMES: Record<string, Text2> = {
  information: { de: 'Information', en: 'information' }, participation: { de: 'Beteiligung', en: 'participation' }, voting: { de: 'Abstimmung', en: 'voting' },
  evaluation: { de: 'Auswertung', en: 'evaluation' }, result: { de: 'Ergebnis', en: 'result' },
};
/** A report's mail to moderators at most once per item in this many seconds. */
export const REPORT_MAIL_WINDOW_S = 3600;

export interface FollowedTarget { kind: FollowKind; id: string; title: Text2; path: string }
interface News { targets: Array<{ kind: FollowKind; id: string }>; exclude?: string; what: Text2; path: string }

export class FollowService {
  private key?: Buffer;
  constructor(private readonly d: FollowDeps) {}

  private now(): string { return this.d.clock.now().toISOString(); }

  /** Following needs a logged-in, confirmed account (mails go to its address). */
  private who(person: Person | undefined): Person {
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in to follow');
    if (!person.confirmed) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Confirm your e-mail address first (the link in the mail sent at registration)');
    return person;
  }

  /** What a target is called and where it is (404 when it does not exist). */
  async target(kind: unknown, id: string): Promise<FollowedTarget> {
    if (kind === 'process') {
      const v = await this.d.service.process(id);
      return { kind, id, title: v.process.title, path: `/beteiligung/${id}` };
    }
    if (kind === 'proposal') {
      const { proposal } = await this.d.service.proposal(id);
      return { kind, id, title: { de: proposal.title, en: proposal.title }, path: `/beteiligung/vorschlaege/${id}` };
    }
    if (kind === 'project') {
      const t = await this.d.projectTitle(id);
      if (!t) throw notFound(`Project ${id}`);
      return { kind, id, title: t, path: `/projekte/${id}` };
    }
    throw notFound(`Something to follow of the kind ${String(kind)} (one of ${FOLLOW_KINDS.join(', ')})`);
  }

  async follow(person: Person | undefined, kind: unknown, id: string): Promise<{ following: boolean }> {
    const who = this.who(person);
    const t = await this.target(kind, id);
    await this.d.store.follow(who.id, t.kind, t.id, this.now());
    return { following: true };
  }

  async unfollow(person: Person | undefined, kind: unknown, id: string): Promise<{ following: boolean }> {
    const who = this.who(person);
    if (!(FOLLOW_KINDS as readonly unknown[]).includes(kind)) throw notFound(`Something to follow of the kind ${String(kind)}`);
    await this.d.store.unfollow(who.id, kind as FollowKind, id);
    return { following: false };
  }

  async isFollowing(person: Person | undefined, kind: FollowKind, id: string): Promise<boolean> {
    if (!person) return false;
    return (await this.d.store.follows(person.id)).some((f) => f.kind === kind && f.targetId === id);
  }

  /** The person's settings: the mode and what they follow (with titles; targets gone since are left out). */
  async settings(person: Person | undefined): Promise<{ mode: NotifyMode; follows: Array<Follow & { title: Text2; path: string }> }> {
    const who = this.who(person);
    const [modes, follows] = await Promise.all([this.d.store.notifyModes([who.id]), this.d.store.follows(who.id)]);
    const named = await Promise.all(follows.map(async (f) => {
      try { const t = await this.target(f.kind, f.targetId); return { ...f, title: t.title, path: t.path }; } catch { return undefined; }
    }));
    return { mode: modes.get(who.id)!, follows: named.filter((x): x is NonNullable<typeof x> => !!x) };
  }

  async setMode(person: Person | undefined, mode: unknown): Promise<{ mode: NotifyMode }> {
    const who = this.who(person);
    if (!(NOTIFY_MODES as readonly unknown[]).includes(mode)) throw invalid([problem('mode', 'follow_mode_invalid')]);
    await this.d.store.setNotifyMode(who.id, mode as NotifyMode);
    return { mode: mode as NotifyMode };
  }

  // Signed unsubscribe links: the person, the kind ("all" for every follow) and the target, with an
  // HMAC under a secret kept in the database (the same on every node). No login needed.
  private async hmacKey(): Promise<Buffer> {
    this.key ??= Buffer.from(await this.d.store.secret('unsubscribe'), 'base64url');
    return this.key;
  }

  async unsubscribeToken(userId: string, kind: FollowKind | 'all', id: string): Promise<string> {
    const payload = Buffer.from(JSON.stringify([userId, kind, id])).toString('base64url');
    return `${payload}.${createHmac('sha256', await this.hmacKey()).update(payload).digest('base64url')}`;
  }

  async unsubscribeUrl(userId: string, kind: FollowKind | 'all', id: string): Promise<string> {
    return `${this.d.publicUrl}/beteiligung/abbestellen?token=${await this.unsubscribeToken(userId, kind, id)}`;
  }

  /**
   * Reads an unsubscribe link without acting on it (the page a GET shows: mail scanners fetch links):
   * undefined when the token is not one of ours.
   */
  async readUnsubscribe(token: unknown): Promise<{ userId: string; kind: FollowKind | 'all'; id: string; title?: Text2 } | undefined> {
    if (typeof token !== 'string' || token.length > 2000) return undefined;
    const [payload, mac] = token.split('.');
    if (!payload || !mac) return undefined;
    const expected = createHmac('sha256', await this.hmacKey()).update(payload).digest('base64url');
    if (mac.length !== expected.length || !Buffer.from(mac).equals(Buffer.from(expected))) return undefined;
    let parsed: unknown;
    try { parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')); } catch { return undefined; }
    if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((x) => typeof x === 'string')) return undefined;
    const [userId, kind, id] = parsed as [string, FollowKind | 'all', string];
    if (kind === 'all') return { userId, kind, id };
    if (!(FOLLOW_KINDS as readonly string[]).includes(kind)) return undefined;
    const title = await this.target(kind, id).then((t) => t.title, () => undefined);
    return { userId, kind, id, ...(title ? { title } : {}) };
  }

  /**
   * Carries out an unsubscribe link (a POST: the page's button, or RFC 8058 one-click): undefined when
   * the token is not one of ours. Unsubscribing twice is no error. "all" ends every follow of the person.
   */
  async unsubscribe(token: unknown): Promise<{ kind: FollowKind | 'all'; title?: Text2 } | undefined> {
    const r = await this.readUnsubscribe(token);
    if (!r) return undefined;
    if (r.kind === 'all') {
      for (const f of await this.d.store.follows(r.userId)) await this.d.store.unfollow(r.userId, f.kind, f.targetId);
      return { kind: r.kind };
    }
    await this.d.store.unfollow(r.userId, r.kind, r.id);
    return { kind: r.kind, ...(r.title ? { title: r.title } : {}) };
  }

  /** Reacts to a contribution: tells followers (new proposals, comments, the city's answers) and moderators (reports). */
  async handle(e: ParticipationEvent): Promise<void> {
    if (e.kind === 'report') return this.reported(e.report);
    if (e.kind === 'proposal') {
      const view = await this.d.service.process(e.proposal.processSlug);
      const t = view.process.title;
      return this.tell({
        targets: [{ kind: 'process', id: view.process.slug }, ...(view.process.projectSlug ? [{ kind: 'project' as const, id: view.process.projectSlug }] : [])],
        exclude: e.actor, path: `/beteiligung/vorschlaege/${e.proposal.id}`,
        what: { de: `Neuer Vorschlag in „${t.de}“: ${e.proposal.title}`, en: `New proposal in "${t.en || t.de}": ${e.proposal.title}` },
      });
    }
    if (e.kind === 'comment') return this.commented(e.comment, e.actor);
    const p = e.proposal;
    return this.tell({
      targets: [{ kind: 'proposal', id: p.id }, { kind: 'process', id: p.processSlug }], exclude: e.actor, path: `/beteiligung/vorschlaege/${p.id}#antwort`,
      what: { de: `Die Stadt hat auf den Vorschlag „${p.title}“ geantwortet.`, en: `The city has answered the proposal "${p.title}".` },
    });
  }

  async commented(c: Comment, actor: string): Promise<void> {
    if (c.target.kind === 'project') {
      const t = await this.d.projectTitle(c.target.id);
      return this.tell({
        targets: [{ kind: 'project', id: c.target.id }], exclude: actor, path: `/projekte/${c.target.id}`,
        what: { de: `Neuer Kommentar zum Projekt „${t?.de ?? c.target.id}“`, en: `New comment on the project "${t?.en || t?.de || c.target.id}"` },
      });
    }
    const p: Proposal | undefined = await this.d.store.getProposal(c.target.id);
    if (!p) return;
    return this.tell({
      targets: [{ kind: 'proposal', id: p.id }, { kind: 'process', id: p.processSlug }], exclude: actor, path: `/beteiligung/vorschlaege/${p.id}?kommentar=${c.id}#kommentar-${c.id}`,
      what: { de: `Neuer Kommentar von ${c.authorName} zum Vorschlag „${p.title}“`, en: `New comment by ${c.authorName} on the proposal "${p.title}"` },
    });
  }

  /** Mails or queues one piece of news for everybody following any of its targets (but the actor). */
  private async tell(n: News): Promise<void> {
    const users = (await this.d.store.followers(n.targets)).filter((u) => u !== n.exclude);
    if (!users.length) return;
    const modes = await this.d.store.notifyModes(users);
    const link = `${this.d.publicUrl}${n.path}`;
    const at = this.now();
    for (const u of users) {
      if (modes.get(u) === 'digest') { await this.d.store.queueDigest(u, JSON.stringify({ de: n.what.de, en: n.what.en, link }), at); continue; }
      // The unsubscribe link ends the follow that brought this mail (the first of the targets the person follows).
      const mine = await this.d.store.follows(u);
      const t = n.targets.find((x) => mine.some((f) => f.kind === x.kind && f.targetId === x.id)) ?? n.targets[0]!;
      const off = await this.unsubscribeUrl(u, t.kind, t.id);
      await this.d.mail(u, {
        de: { subject: n.what.de, text: [n.what.de, link, '', `Sie erhalten diese Nachricht, weil Sie dem folgen. Mit einem Klick abbestellen: ${off}`, ''].join('\n') },
        en: { subject: n.what.en, text: [n.what.en, link, '', `You get this message because you follow it. Unsubscribe with one click: ${off}`, ''].join('\n') },
        headers: unsubscribeHeaders(off),
      });
    }
  }

  /** Sends each person who chose the digest one mail with what was queued for them; returns the number of mails. */
  async sendDigests(): Promise<number> {
    const all = await this.d.store.takeDigests();
    for (const [u, lines] of all) {
      const items = lines.map((l) => JSON.parse(l) as { de: string; en: string; link: string });
      const off = await this.unsubscribeUrl(u, 'all', '');
      await this.d.mail(u, {
        de: {
          subject: `Beteiligung: ${items.length} ${items.length === 1 ? 'Neuigkeit' : 'Neuigkeiten'} des Tages`,
          text: ['Neues zu dem, dem Sie folgen:', '', ...items.flatMap((i) => [`- ${i.de}`, `  ${i.link}`]), '', `Alle Benachrichtigungen mit einem Klick abbestellen: ${off}`, ''].join('\n'),
        },
        en: {
          subject: `Participation: ${items.length} ${items.length === 1 ? 'piece' : 'pieces'} of news of the day`,
          text: ['News about what you follow:', '', ...items.flatMap((i) => [`- ${i.en}`, `  ${i.link}`]), '', `Unsubscribe from all notifications with one click: ${off}`, ''].join('\n'),
        },
        headers: unsubscribeHeaders(off),
      });
    }
    return all.size;
  }

  /** Announces phases that began within the last day, once per phase (a mark in the database). */
  async announcePhases(): Promise<number> {
    const now = this.d.clock.now();
    let n = 0;
    for (const v of await this.d.service.processes()) {
      const { current } = currentPhase(v.process, now);
      if (!current || now.getTime() - Date.parse(current.start) > 86_400_000) continue;
      if (!(await this.d.store.claimMark(`phase:${v.process.slug}:${current.kind}:${current.start}`, now.toISOString(), 366 * 86_400))) continue;
      const name = PHASE_NAMES[current.kind]!;
      const t = v.process.title;
      await this.tell({
        targets: [{ kind: 'process', id: v.process.slug }, ...(v.process.projectSlug ? [{ kind: 'project' as const, id: v.process.projectSlug }] : [])],
        path: `/beteiligung/${v.process.slug}`,
        what: { de: `„${t.de}“ ist jetzt in der Phase ${name.de}.`, en: `"${t.en || t.de}" is now in the ${name.en} phase.` },
      });
      n++;
    }
    return n;
  }

  /** The clock's work, every minute on each node: phase changes, and the daily digest once a day from 06:00 UTC. */
  async tick(): Promise<void> {
    await this.announcePhases();
    const now = this.d.clock.now();
    if (now.getUTCHours() >= 6 && (await this.d.store.claimMark('digest', now.toISOString(), 20 * 3600))) await this.sendDigests();
  }

  /** A new report: every moderator gets a mail, at most one per reported item and hour. */
  private async reported(r: Report): Promise<void> {
    if (!(await this.d.store.claimMark(`report:${r.target.kind}:${r.target.id}`, r.createdAt, REPORT_MAIL_WINDOW_S))) return;
    const link = `${this.d.publicUrl}/verwaltung/beteiligung`;
    const linkEn = `${this.d.publicUrl}/en/admin/participation`;
    const what = r.target.kind === 'proposal' ? { de: 'ein Vorschlag', en: 'a proposal' } : { de: 'ein Kommentar', en: 'a comment' };
    for (const m of await this.d.moderators()) {
      await this.d.mail(m, {
        de: {
          subject: `Neue Meldung: ${what.de} wurde gemeldet`,
          text: [`In der Beteiligung wurde ${what.de} gemeldet. Begründung: ${r.reason}`, `Zur Moderation: ${link}`,
            '(Weitere Meldungen desselben Beitrags innerhalb einer Stunde kommen ohne eigene Mail in die Liste.)', ''].join('\n'),
        },
        en: {
          subject: `New report: ${what.en} was reported`,
          text: [`Somebody reported ${what.en} in participation. Reason: ${r.reason}`, `Moderation: ${linkEn}`,
            '(Further reports of the same contribution within an hour go to the list without a mail of their own.)', ''].join('\n'),
        },
      });
    }
  }

  /** A proposal's image waits for release: moderators get a mail, at most one an hour for all of them. */
  async imagePending(at: string): Promise<void> {
    if (!(await this.d.store.claimMark('image-pending', at, REPORT_MAIL_WINDOW_S))) return;
    const link = `${this.d.publicUrl}/verwaltung/beteiligung#bilder`;
    for (const m of await this.d.moderators()) {
      await this.d.mail(m, {
        de: { subject: 'Bilder warten auf Freigabe', text: `Zu einem Vorschlag wurde ein Bild hochgeladen, das auf Freigabe wartet: ${link}\n` },
        en: { subject: 'Images wait for release', text: `An image of a proposal waits for release: ${link.replace('/verwaltung/beteiligung', '/en/admin/participation')}\n` },
      });
    }
  }

  /** A guest's contribution waits for release: moderators get a mail, at most one an hour for all of them. */
  async guestPending(g: GuestContribution): Promise<void> {
    if (!(await this.d.store.claimMark('guest-pending', g.createdAt, REPORT_MAIL_WINDOW_S))) return;
    const link = `${this.d.publicUrl}/verwaltung/beteiligung#gaeste`;
    for (const m of await this.d.moderators()) {
      await this.d.mail(m, {
        de: { subject: 'Gastbeiträge warten auf Freigabe', text: `Ein Gast hat einen Beitrag geschrieben, der auf Freigabe wartet: ${link}\n` },
        en: { subject: 'Guest contributions wait for release', text: `A guest's contribution waits for release: ${link.replace('/verwaltung/beteiligung', '/en/admin/participation')}\n` },
      });
    }
  }
}
