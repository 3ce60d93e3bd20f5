// An image on a proposal: re-encoded on upload (no EXIF or other metadata), described by its author
// (the alternative text is required), and public only once a moderator has released it.
export const IMAGE_STATES = ['pending', 'released', 'rejected'] as const;
export type ImageState = (typeof IMAGE_STATES)[number];

export interface ProposalImageMeta {
  proposalId: string;
  contentType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  /** Size of the stored (re-encoded) image in bytes. */
  bytes: number;
  /** The author's description of the image (alternative text). */
  alt: string;
  state: ImageState;
  createdAt: string;
  decidedAt?: string;
  /** Why a moderator did not release it (shown to the author). */
  reason?: string;
}

export interface ProposalImage extends ProposalImageMeta {
  data: Buffer;
}

/** The images of proposals (images.contract.ts): one per proposal. */
export interface ProposalImageStore {
  /** Adds or replaces a proposal's image; a replaced one waits for release again. Throws StorageNotFound when the proposal does not exist. */
  put(img: ProposalImage): Promise<void>;
  get(proposalId: string): Promise<ProposalImage | undefined>;
  meta(proposalId: string): Promise<ProposalImageMeta | undefined>;
  /** Releases or rejects the image if it waits for that; false otherwise. */
  decide(proposalId: string, state: 'released' | 'rejected', at: string, reason?: string): Promise<boolean>;
  remove(proposalId: string): Promise<boolean>;
  /** Images waiting for release, oldest first. */
  pending(limit: number): Promise<ProposalImageMeta[]>;
  /** The released images of a process's published proposals (the open-data export), in one query. */
  released(processSlug: string): Promise<ProposalImageMeta[]>;
}
