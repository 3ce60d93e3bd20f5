// Proposal images in the participation module's PostgreSQL tables (part_proposal_images).
import type pg from 'pg';
import { StorageNotFound } from '../../core/errors.ts';
import type { ImageState, ProposalImage, ProposalImageMeta, ProposalImageStore } from '../images.model.ts';

interface Row { proposal_id: string; content_type: string; width: number; height: number; bytes: number; alt: string; state: string; created_at: string; decided_at: string | null; reason: string | null; data?: Buffer }
const META = 'proposal_id, content_type, width, height, octet_length(data)::int AS bytes, alt, state, created_at, decided_at, reason';

function meta(r: Row): ProposalImageMeta {
  return {
    proposalId: r.proposal_id, contentType: r.content_type as ProposalImageMeta['contentType'], width: r.width, height: r.height, bytes: r.bytes, alt: r.alt,
    state: r.state as ImageState, createdAt: r.created_at, ...(r.decided_at ? { decidedAt: r.decided_at } : {}), ...(r.reason ? { reason: r.reason } : {}),
  };
}

export class PostgresProposalImages implements ProposalImageStore {
  constructor(private readonly pool: pg.Pool) {}

  async put(img: ProposalImage): Promise<void> {
    try {
      await this.pool.query(`INSERT INTO part_proposal_images (proposal_id, content_type, width, height, alt, state, created_at, decided_at, reason, data) VALUES ($1, $2, $3, $4, $5, 'pending', $6, NULL, NULL, $7)
        ON CONFLICT (proposal_id) DO UPDATE SET content_type = excluded.content_type, width = excluded.width, height = excluded.height, alt = excluded.alt,
          state = 'pending', created_at = excluded.created_at, decided_at = NULL, reason = NULL, data = excluded.data`,
      [img.proposalId, img.contentType, img.width, img.height, img.alt, img.createdAt, img.data]);
    } catch (e) {
      if ((e as { code?: string }).code === '23503') throw new StorageNotFound(`proposal ${img.proposalId}`, { cause: e });
      throw e;
    }
  }
  async get(proposalId: string): Promise<ProposalImage | undefined> {
    const r = (await this.pool.query<Row>(`SELECT ${META}, data FROM part_proposal_images WHERE proposal_id = $1`, [proposalId])).rows[0];
    return r ? { ...meta(r), data: r.data! } : undefined;
  }
  async meta(proposalId: string): Promise<ProposalImageMeta | undefined> {
    const r = (await this.pool.query<Row>(`SELECT ${META} FROM part_proposal_images WHERE proposal_id = $1`, [proposalId])).rows[0];
    return r ? meta(r) : undefined;
  }
  async decide(proposalId: string, state: 'released' | 'rejected', at: string, reason?: string): Promise<boolean> {
    return ((await this.pool.query("UPDATE part_proposal_images SET state = $1, decided_at = $2, reason = $3 WHERE proposal_id = $4 AND state = 'pending'", [state, at, reason ?? null, proposalId])).rowCount ?? 0) > 0;
  }
  async remove(proposalId: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM part_proposal_images WHERE proposal_id = $1', [proposalId])).rowCount ?? 0) > 0;
  }
  async released(processSlug: string): Promise<ProposalImageMeta[]> {
    return (await this.pool.query<Row>(`SELECT ${META} FROM part_proposal_images WHERE state = 'released' AND proposal_id IN (SELECT id FROM part_proposals WHERE process_slug = $1 AND state = 'published') ORDER BY proposal_id COLLATE "C"`, [processSlug])).rows.map(meta);
  }
  async pending(limit: number): Promise<ProposalImageMeta[]> {
    return (await this.pool.query<Row>(`SELECT ${META} FROM part_proposal_images WHERE state = 'pending' ORDER BY created_at COLLATE "C", proposal_id COLLATE "C" LIMIT $1`, [limit])).rows.map(meta);
  }
}
