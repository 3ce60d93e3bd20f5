// Images on proposals: optional, one per proposal, through the Mängelmelder's photo pipeline (JPEG or
// PNG by content, size and pixel limits, decoded and re-encoded — no EXIF with its GPS position, no
// other metadata), described by the author (the alternative text is required), and public only once
// a moderator has released it. Until then only the author and moderators see it.
import type { LocalMail } from './mail.ts';
import type { Clock } from '../core/clock.ts';
import { cleanPhoto, DEFAULT_PHOTO_LIMITS, PhotoRejected } from '../reports/index.ts';
import type { ProposalImage, ProposalImageMeta } from './images.model.ts';
import type { Proposal } from './participation.model.ts';
import type { ParticipationStore } from './participation.port.ts';
import { ParticipationProblem, conflict, invalid, notFound, type ParticipationService, type Person } from './participation.service.ts';
import { LIMITS, p as problem, parseText, type Problem } from './participation.validate.ts';

/** Explicit limits (docs/participation.md): the photo pipeline's, and the description's length. */
export const IMAGE_LIMITS = { ...DEFAULT_PHOTO_LIMITS, altMin: 3, altMax: 300 } as const;

/** A file as the multipart parser hands it on. */
export interface ImageUpload { bytes?: Buffer; type?: string; truncated?: boolean }

export interface ImageDeps {
  store: ParticipationStore;
  service: ParticipationService;
  clock: Clock;
  /** Mails the author (the moderators' decision). */
  notify?(userId: string, m: LocalMail): Promise<void>;
  /** An image waits for release (moderators are told; after the answer). */
  onPending?(m: ProposalImageMeta): Promise<void>;
}

type Prepared = Omit<ProposalImage, 'proposalId' | 'state' | 'createdAt'>;

/** Whether a form or request carried a file at all (an empty file field is no image). */
export function hasUpload(u: unknown): u is ImageUpload {
  return !!u && typeof u === 'object' && ((u as ImageUpload).truncated === true || ((u as ImageUpload).bytes?.length ?? 0) > 0);
}

export class ProposalImageService {
  constructor(private readonly d: ImageDeps) {}

  /** Checks and re-encodes an upload with its description: the clean image, or the problems at `image` and `alt`. */
  async prepare(upload: ImageUpload, altRaw: unknown): Promise<{ image?: Prepared; problems: Problem[] }> {
    const problems: Problem[] = [];
    const alt = typeof altRaw === 'string' ? altRaw.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim() : '';
    if (alt.length < IMAGE_LIMITS.altMin) problems.push(problem('alt', 'alt_required'));
    else if (alt.length > IMAGE_LIMITS.altMax) problems.push(problem('alt', 'alt_too_long'));
    let clean;
    if (upload.truncated) problems.unshift(problem('image', 'image_size'));
    else {
      try {
        clean = await cleanPhoto(upload.bytes ?? Buffer.alloc(0), upload.type === 'application/octet-stream' ? undefined : upload.type);
      } catch (e) {
        if (!(e instanceof PhotoRejected)) throw e;
        problems.unshift(problem('image', e.reason === 'size' ? 'image_size' : e.reason === 'type' ? 'image_type' : 'image_decode'));
      }
    }
    if (problems.length || !clean) return { problems };
    return { image: { contentType: clean.contentType, width: clean.width, height: clean.height, bytes: clean.data.length, alt, data: clean.data }, problems };
  }

  private async put(proposalId: string, image: Prepared): Promise<ProposalImageMeta> {
    const img: ProposalImage = { ...image, proposalId, state: 'pending', createdAt: this.d.clock.now().toISOString() };
    await this.d.store.images.put(img);
    const { data, ...meta } = img;
    void data;
    await this.d.onPending?.(meta);
    return meta;
  }

  /** A new proposal with an optional image: both checked before anything is stored, problems reported together. */
  async propose(person: Person | undefined, slug: string, body: unknown, upload: unknown, alt: unknown): Promise<Proposal> {
    const prep = hasUpload(upload) ? await this.prepare(upload, alt) : { problems: [] };
    return this.d.service.propose(person, slug, body, { problems: prep.problems, after: prep.image ? async (p) => { await this.put(p.id, prep.image!); } : undefined });
  }

  /** An edited proposal; a new image replaces the old one (and waits for release again). */
  async edit(person: Person | undefined, id: string, body: unknown, upload: unknown, alt: unknown): Promise<Proposal> {
    const prep = hasUpload(upload) ? await this.prepare(upload, alt) : { problems: [] };
    return this.d.service.editProposal(person, id, body, { problems: prep.problems, after: prep.image ? async (p) => { await this.put(p.id, prep.image!); } : undefined });
  }

  /** Adds or replaces the image of one's own proposal while it may be edited (API). */
  async attach(person: Person | undefined, proposalId: string, upload: unknown, alt: unknown): Promise<ProposalImageMeta> {
    const { proposal, view } = await this.d.service.proposal(proposalId);
    const who = await this.d.service.check(person, 'propose', view);
    if (proposal.authorId !== who.id) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Only its author adds an image to a proposal');
    if (!this.d.service.canEdit(proposal, view, who)) throw conflict('An image can be added only while the proposal may be edited (until the first comment or support)');
    if (!hasUpload(upload)) throw invalid([problem('image', 'image_required'), ...(typeof alt === 'string' && alt.trim().length >= IMAGE_LIMITS.altMin ? [] : [problem('alt', 'alt_required')])]);
    const prep = await this.prepare(upload, alt);
    if (!prep.image) throw invalid(prep.problems);
    return this.put(proposalId, prep.image);
  }

  private isModerator(person: Person | undefined): boolean {
    return this.d.service.hasRole(person, 'moderator');
  }

  /** The author (any time) or a moderator removes the image. */
  async remove(person: Person | undefined, proposalId: string): Promise<void> {
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in');
    const { proposal } = await this.d.service.proposal(proposalId);
    if (proposal.authorId !== person.id && !this.isModerator(person)) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Only the author or a moderator removes an image');
    if (!(await this.d.store.images.remove(proposalId))) throw notFound(`An image of proposal ${proposalId}`);
  }

  /** A moderator releases a waiting image, or rejects it with a reason the author is told by mail. */
  async decide(person: Person | undefined, proposalId: string, state: 'released' | 'rejected', reasonRaw?: unknown): Promise<ProposalImageMeta> {
    const { proposal, view } = await this.d.service.proposal(proposalId);
    await this.d.service.check(person, 'moderate', view);
    let reason: string | undefined;
    if (state === 'rejected') {
      const r = parseText(reasonRaw, 'reason', 'reason_required', 'reason_too_long', LIMITS.reason);
      if (!r.text) throw invalid(r.problems);
      reason = r.text;
    }
    if (!(await this.d.store.images.decide(proposalId, state, this.d.clock.now().toISOString(), reason))) {
      if (!(await this.d.store.images.meta(proposalId))) throw notFound(`An image of proposal ${proposalId}`);
      throw conflict('The image does not wait for release (decided already, or replaced)');
    }
    if (proposal.authorId !== 'deleted' && this.d.notify) {
      const released = state === 'released';
      await this.d.notify(proposal.authorId, {
        de: {
          subject: released ? 'Ihr Bild wurde freigegeben' : 'Ihr Bild wurde nicht freigegeben',
          text: released
            ? `Die Moderation hat das Bild zu Ihrem Vorschlag „${proposal.title}“ freigegeben; es ist jetzt öffentlich zu sehen.\n`
            : `Die Moderation hat das Bild zu Ihrem Vorschlag „${proposal.title}“ nicht freigegeben.\n\nBegründung: ${reason}\n\nSie können ein anderes Bild hochladen, solange der Vorschlag bearbeitet werden kann.\n`,
        },
        en: {
          subject: released ? 'Your image was released' : 'Your image was not released',
          text: released
            ? `The moderators released the image of your proposal "${proposal.title}"; it is public now.\n`
            : `The moderators did not release the image of your proposal "${proposal.title}".\n\nReason: ${reason}\n\nYou can upload another image as long as the proposal can be edited.\n`,
        },
      });
    }
    return (await this.d.store.images.meta(proposalId))!;
  }

  /** The moderators' queue: images waiting for release, oldest first, with their proposal's title. */
  async pending(person: Person | undefined, limit = 100): Promise<Array<ProposalImageMeta & { title: string }>> {
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in');
    if (!this.isModerator(person)) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Only moderators see images waiting for release');
    const metas = await this.d.store.images.pending(Math.min(Math.max(1, limit), 500));
    return Promise.all(metas.map(async (m) => ({ ...m, title: (await this.d.store.getProposal(m.proposalId))?.title ?? '' })));
  }

  /** The image of a proposal, whatever its state (the author's data export). */
  mine(proposalId: string): Promise<ProposalImageMeta | undefined> {
    return this.d.store.images.meta(proposalId);
  }

  /** What a viewer may see of a proposal's image: a released one on a visible proposal for everybody; any state for its author and moderators. */
  async visible(proposal: Proposal, viewer: Person | undefined): Promise<ProposalImageMeta | undefined> {
    const meta = await this.d.store.images.meta(proposal.id);
    if (!meta) return undefined;
    if (viewer && (viewer.id === proposal.authorId || this.isModerator(viewer))) return meta;
    return meta.state === 'released' && proposal.state !== 'hidden' ? meta : undefined;
  }

  /** The image's bytes for a viewer allowed to see it (404 otherwise, so nobody learns that one waits). */
  async file(proposalId: string, viewer: Person | undefined): Promise<ProposalImage> {
    const { proposal } = await this.d.service.proposal(proposalId);
    const meta = await this.visible(proposal, viewer);
    const img = meta && (await this.d.store.images.get(proposalId));
    if (!img) throw notFound(`An image of proposal ${proposalId}`);
    return img;
  }
}
