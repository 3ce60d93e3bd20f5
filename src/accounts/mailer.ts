// Outgoing mail. Every mail is written to the outbox table first (operators read it at
// GET /admin/outbox); with DREHSCHEIBE_SMTP_URL it is then handed to the SMTP server through
// nodemailer and marked sent or failed; without, it stays pending in the outbox (development, tests).
import nodemailer, { type Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../core/clock.ts';
import type { AccountStore, MailRecord } from '../storage/port.accounts.ts';
import { randomId } from './secrets.ts';

export interface Mail { to: string; subject: string; text: string; html?: string; /** Extra header fields, passed to nodemailer as they are. */ headers?: Record<string, string> }

export class Mailer {
  private readonly transport?: Transporter;
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly store: AccountStore, private readonly clock: Clock, private readonly cfg: { smtpUrl?: string; from: string }, private readonly log: FastifyBaseLogger) {
    if (cfg.smtpUrl) this.transport = nodemailer.createTransport(cfg.smtpUrl);
  }

  /** Queues the mail in the outbox; SMTP delivery (if configured) runs after, without holding up the caller. */
  async send(m: Mail): Promise<MailRecord> {
    const rec: MailRecord = { id: randomId(), to: m.to, subject: m.subject, text: m.text, createdAt: this.clock.now().toISOString(), state: 'pending' };
    if (m.html !== undefined) rec.html = m.html;
    if (m.headers && Object.keys(m.headers).length) rec.headers = { ...m.headers };
    await this.store.enqueueMail(rec);
    if (this.transport) {
      const p = this.deliver(rec).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
    return rec;
  }

  private async deliver(rec: MailRecord): Promise<void> {
    try {
      await this.transport!.sendMail({ from: this.cfg.from, to: rec.to, subject: rec.subject, text: rec.text, html: rec.html, ...(rec.headers ? { headers: rec.headers } : {}) });
      await this.store.markMail(rec.id, 'sent', this.clock.now().toISOString());
    } catch (err) {
      this.log.warn({ err, mail: rec.id }, 'mail could not be sent; it stays in the outbox as failed');
      await this.store.markMail(rec.id, 'failed', this.clock.now().toISOString(), String((err as Error).message).slice(0, 500)).catch(() => {});
    }
  }

  /** Waits for deliveries in progress (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  close(): void {
    this.transport?.close();
  }
}
