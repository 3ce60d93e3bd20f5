// Pieces of the pages for proposals' images: the optional image fields of the proposal form, the image
// on the proposal page (with its state for the author and moderators), and the moderators' queue.
import type { ProposalImageMeta } from '../../participation/index.ts';
import type { Messages } from '../i18n/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href, type Lang } from '../paths.ts';
import { Button, Csrf, Notice, PField } from './components.tsx';

type Errors = Record<string, string>;

/** The page address of a proposal's image (the author and moderators also get one that waits). */
export const imageSrc = (lang: Lang, proposalId: string, m: ProposalImageMeta) => `${href(lang, 'proposal', proposalId)}/bild?v=${encodeURIComponent(m.createdAt)}`;

/** The proposal form's optional image: a file and its description (required with a file). */
export function ImageFields({ values, errors, current, lang, proposalId, m }: { values: Record<string, string>; errors: Errors; current?: ProposalImageMeta; lang: Lang; proposalId?: string; m: ParticipationMessages }) {
  return (
    <fieldset class="kern-fieldset" aria-describedby="bild-hint">
      <legend class="kern-label">{m.images.legend}</legend>
      <div class="kern-hint" id="bild-hint">{m.images.legendHint}{current ? ` ${m.images.replaces}` : ''}</div>
      {current && proposalId && (
        <figure class="proposal-image proposal-image--small">
          <img src={imageSrc(lang, proposalId, current)} alt={current.alt} width={current.width} height={current.height} loading="lazy" />
          <figcaption class="kern-body--small">{m.images.current}</figcaption>
        </figure>
      )}
      <PField id="image" name="image" type="file" accept="image/jpeg,image/png" label={m.images.file} error={errors.image} errorPrefix={m.errors.prefix} />
      <PField id="alt" name="alt" type="textarea" rows={2} maxLength={300} label={m.images.alt} hint={m.images.altHint} value={values.alt} error={errors.alt} errorPrefix={m.errors.prefix} />
    </fieldset>
  );
}

/** The image on the proposal page: released for everybody; waiting or rejected only for its author and moderators, marked so. */
export function ProposalImageFigure({ image, proposalId, lang, canRemove, csrf, m }: { image: ProposalImageMeta; proposalId: string; lang: Lang; canRemove: boolean; csrf: string; m: ParticipationMessages }) {
  const base = href(lang, 'proposal', proposalId);
  return (
    <figure class="proposal-image" id="bild">
      <img src={imageSrc(lang, proposalId, image)} alt={image.alt} width={image.width} height={image.height} />
      {image.state !== 'released' && (
        <figcaption>
          <Notice kind="warning">{image.state === 'pending' ? m.images.pending : m.images.rejected(image.reason ?? '')}</Notice>
        </figcaption>
      )}
      {canRemove && <form method="post" action={`${base}/bild/entfernen`}><Csrf token={csrf} /><Button secondary>{m.images.remove}</Button></form>}
    </figure>
  );
}

/** The moderators' queue of images waiting for release. */
export function ImageQueue({ items, csrf, lang, errors, m, t }: { items: Array<ProposalImageMeta & { title: string }>; csrf: string; lang: Lang; errors: Errors; m: ParticipationMessages; t: Messages }) {
  const base = href(lang, 'moderation');
  return (
    <section aria-labelledby="bilder">
      <h2 class="kern-heading-large" id="bilder">{m.images.queue}</h2>
      {items.length === 0 ? <p>{m.images.queueNone}</p> : (
        <>
          <p>{m.images.queueHint}</p>
          <ul class="report-list">
            {items.map((i) => (
              <li class="report">
                <h3 class="kern-heading-small"><a class="kern-link" href={href(lang, 'proposal', i.proposalId)}>{i.title}</a></h3>
                <p class="kern-body--small">{m.images.uploaded(t.formatDateTime(i.createdAt))}</p>
                <figure class="proposal-image proposal-image--small">
                  <img src={imageSrc(lang, i.proposalId, i)} alt={i.alt} width={i.width} height={i.height} loading="lazy" />
                  <figcaption><strong>{m.images.described}:</strong> {i.alt}</figcaption>
                </figure>
                <form method="post" action={`${base}/bilder/${encodeURIComponent(i.proposalId)}/freigeben`}><Csrf token={csrf} /><Button>{m.images.release}</Button></form>
                <form method="post" action={`${base}/bilder/${encodeURIComponent(i.proposalId)}/ablehnen`} class="portal-form">
                  <Csrf token={csrf} />
                  <PField id={`bildgrund-${i.proposalId}`} name="reason" type="textarea" rows={2} required label={m.images.rejectReason} error={errors[`bildgrund-${i.proposalId}`]} errorPrefix={m.errors.prefix} />
                  <Button secondary>{m.images.reject}</Button>
                </form>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
