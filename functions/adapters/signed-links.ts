/** Signed accept/decline links for factory e-mails: HMAC-SHA256 over allocation, action, expiry and order, expiring. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { requiredEnv } from './config';

export const linkActions = ['accept', 'decline'] as const;
export type LinkAction = (typeof linkActions)[number];

export interface LinkClaims {
  orderId: string;
  allocationId: string;
  action: LinkAction;
  expiresAt: Date;
}

export type LinkCheck =
  | { valid: true; orderId: string; expiresAt: Date }
  | { valid: false; problem: 'malformed' | 'bad-signature' | 'expired' };

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN = /^([A-Za-z0-9_-]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export class WeakLinkSecretError extends Error {
  override name = 'WeakLinkSecretError';
}

/** The token carries the order id and expiry in the clear; only the signature proves the channel issued them. */
export function createLinkSigner(secret = requiredEnv('LINK_SECRET')) {
  if (secret.length < 32) throw new WeakLinkSecretError('LINK_SECRET must be at least 32 characters');

  const signature = (allocationId: string, action: LinkAction, expiresSeconds: number, orderId: string) =>
    createHmac('sha256', secret)
      .update(['export-channel-link-v1', allocationId, action, String(expiresSeconds), orderId].join('\n'))
      .digest('base64url');

  function token({ orderId, allocationId, action, expiresAt }: LinkClaims): string {
    if (!ID.test(orderId) || !ID.test(allocationId)) throw new RangeError('ids must be short URL-safe strings');
    const expiresSeconds = Math.floor(expiresAt.getTime() / 1000);
    return `${orderId}.${expiresSeconds}.${signature(allocationId, action, expiresSeconds, orderId)}`;
  }

  function url(baseUrl: string, claims: LinkClaims): string {
    const base = baseUrl.replace(/\/+$/, '');
    return `${base}/api/allocations/${encodeURIComponent(claims.allocationId)}/${claims.action}?token=${token(claims)}`;
  }

  /** Signature first (constant time), expiry second: an expired link is only reported as such if it is genuine. */
  function check(allocationId: string, action: LinkAction, presented: string, now: Date): LinkCheck {
    const match = TOKEN.exec(presented);
    if (!match || !ID.test(allocationId)) return { valid: false, problem: 'malformed' };
    const [, orderId = '', expires = '', mac = ''] = match;
    const expected = Buffer.from(signature(allocationId, action, Number(expires), orderId));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { valid: false, problem: 'bad-signature' };
    }
    const expiresAt = new Date(Number(expires) * 1000);
    if (now.getTime() >= expiresAt.getTime()) return { valid: false, problem: 'expired' };
    return { valid: true, orderId, expiresAt };
  }

  return { token, url, check };
}

export type LinkSigner = ReturnType<typeof createLinkSigner>;
