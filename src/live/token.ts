/**
 * The listener's secret: 32 random bytes from the operating system's CSPRNG, as 64 hex characters
 * (what the taps read from ACTIVATION_LENS_TOKEN or the endpoint file). A hello's token is compared
 * in constant time — over SHA-256 digests, so even its length does not shape the comparison.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

export function sameToken(expected: string, given: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}
