import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Cache } from '../cache/index.ts';
import { errors } from '../errors/index.ts';

/** How long an admin has between starting the consent and coming back. */
export const CONSENT_STATE_TTL_MS = 15 * 60_000;

const STATE = /^[A-Za-z0-9_-]{43}$/;
const keyOf = (state: string) => `identity:consent-state:${createHash('sha256').update(state).digest('hex')}`;

/**
 * The `state` of the admin-consent round trip: random, kept (hashed) in the shared cache for a
 * quarter of an hour, usable once, and bound to the browser that started it (the caller sets it
 * in a cookie too), so a consent link cannot be replayed or completed from another browser.
 */
export interface ConsentStates {
  issue(): Promise<string>;
  /**
   * Consumes a state returned by Entra, checking it against the browser's copy.
   * @throws AppError(validation_failed) unknown, expired, already used or not this browser's.
   */
  consume(state: string | undefined, browserCopy: string | undefined): Promise<void>;
}

export function createConsentStates(cache: Cache): ConsentStates {
  return {
    async issue() {
      const state = randomBytes(32).toString('base64url');
      await cache.set(keyOf(state), { issuedAt: Date.now() }, CONSENT_STATE_TTL_MS);
      return state;
    },
    async consume(state, browserCopy) {
      const refuse = () =>
        errors.validation(
          'This consent link is unknown, expired or already used; start the onboarding again',
          {
            state: 'invalid',
          },
        );
      if (!state || !STATE.test(state) || !browserCopy) throw refuse();
      const a = Buffer.from(state);
      const b = Buffer.from(browserCopy);
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw refuse();
      const key = keyOf(state);
      if (!(await cache.get(key))) throw refuse();
      // Atomic across instances (Redis INCR): only the first to come back wins.
      if ((await cache.increment(`${key}:used`, CONSENT_STATE_TTL_MS)) !== 1) throw refuse();
      await cache.delete(key);
    },
  };
}
