// Random secrets and their stored form: session ids, tokens and CSRF tokens are 256-bit random
// values; only their SHA-256 is stored, so a copy of the database opens no session.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function randomId(): string {
  return randomBytes(12).toString('base64url');
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export function hmac(key: Buffer, s: string): string {
  return createHmac('sha256', key).update(s).digest('base64url');
}

/** Compares two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
