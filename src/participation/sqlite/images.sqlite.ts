// Proposal images in the participation module's SQLite file (part_proposal_images).
import type Database from 'better-sqlite3';
import { StorageNotFound } from '../../core/errors.ts';
import type { ImageState, ProposalImage, ProposalImageMeta, ProposalImageStore } from '../images.model.ts';

interface Row { proposal_id: string; content_type: string; width: number; height: number; bytes: number; alt: string; state: string; created_at: string; decided_at: string | null; reason: string | null; data?: Buffer }
const META = 'proposal_id, content_type, width, height, length(data) AS bytes, alt, state, created_at, decided_at, reason';

function meta(r: Row): ProposalImageMeta {
  return {
    proposalId: r.proposal_id, contentType: r.content_type as ProposalImageMeta['contentType'], width: r.width, height: r.height, bytes: r.bytes, alt: r.alt,
    state: r.state as ImageState, createdAt: r.created_at, ...(r.decided_at ? { decidedAt: r.decided_at } : {}), ...(r.reason ? { reason: r.reason } : {}),
  };
}

export class SqliteProposalImages implements ProposalImageStore {
  constructor(private readonly db: Database.Database) {}

  async put(img: ProposalImage): Promise<void> {
    try {
      this.db.prepare(`INSERT INTO part_proposal_images (proposal_id, content_type, width, height, alt, state, created_at, decided_at, reason, data) VALUES (?, ?, ?, ?, ?, 'pending', ?, NULL, NULL, ?)
        ON CONFLICT (proposal_id) DO UPDATE SET content_type = excluded.content_type, width = excluded.width, height = excluded.height, alt = excluded.alt,
          state = 'pending', created_at = excluded.created_at, decided_at = NULL, reason = NULL, data = excluded.data`)
        .run(img.proposalId, img.contentType, img.width, img.height, img.alt, img.createdAt, img.data);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new StorageNotFound(`proposal ${img.proposalId}`, { cause: e });
      throw e;
    }
  }
  async get(proposalId: string): Promise<ProposalImage | undefined> {
    const r = this.db.prepare(`SELECT ${META}, data FROM part_proposal_images WHERE proposal_id = ?`).get(proposalId) as Row | undefined;
    return r ? { ...meta(r), data: r.data! } : undefined;
  }
  async meta(proposalId: string): Promise<ProposalImageMeta | undefined> {
    const r = this.db.prepare(`SELECT ${META} FROM part_proposal_images WHERE proposal_id = ?`).get(proposalId) as Row | undefined;
    return r ? meta(r) : undefined;
  }
  async decide(proposalId: string, state: 'released' | 'rejected', at: string, reason?: string): Promise<boolean> {
    return this.db.prepare("UPDATE part_proposal_images SET state = ?, decided_at = ?, reason = ? WHERE proposal_id = ? AND state = 'pending'").run(state, at, reason ?? null, proposalId).changes > 0;
  }
  async remove(proposalId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM part_proposal_images WHERE proposal_id = ?').run(proposalId).changes > 0;
  }
  async released(processSlug: string): Promise<ProposalImageMeta[]> {
    return (this.db.prepare(`SELECT ${META} FROM part_proposal_images WHERE state = 'released' AND proposal_id IN (SELECT id FROM part_proposals WHERE process_slug = ? AND state = 'published') ORDER BY proposal_id`).all(processSlug) as Row[]).map(meta);
  }
  async pending(limit: number): Promise<ProposalImageMeta[]> {
    return (this.db.prepare(`SELECT ${META} FROM part_proposal_images WHERE state = 'pending' ORDER BY created_at, proposal_id LIMIT ?`).all(limit) as Row[]).map(meta);
  }
}
