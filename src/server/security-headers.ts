import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { HSTS_MAX_AGE_SECONDS } from './tls/index.ts';

/** Hosts that may frame Trellis's tab pages (Teams, Microsoft 365 and Outlook, old and new domains). */
export const TEAMS_FRAME_ANCESTORS = [
  'teams.microsoft.com',
  '*.teams.microsoft.com',
  '*.cloud.microsoft',
  '*.microsoft365.com',
  '*.office.com',
  'outlook.office.com',
  'outlook.office365.com',
  'outlook-sdf.office.com',
  'outlook-sdf.office365.com',
] as const;

/** JSON, text and everything that is not a page: nothing may frame, script or load from it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Tab pages: own scripts only (no inline scripts), framable by Teams and Microsoft 365 hosts only,
 * plus `extraFrameAncestors` (the sandbox's Teams client in embedded mode).
 */
export function pageCsp(extraFrameAncestors: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Fluent UI (Griffel) injects style elements at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    // Teams JS (inside Teams only) fetches the list of valid Teams hosts from Microsoft's CDN.
    "connect-src 'self' https://res.cdn.office.net",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors 'self' ${[...TEAMS_FRAME_ANCESTORS, ...extraFrameAncestors].join(' ')}`,
  ].join('; ');
}

export const PAGE_CSP = pageCsp();

export const PERMISSIONS_POLICY =
  'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), browsing-topics=()';

/**
 * Headers on every response. CSP and X-Frame-Options depend on what is sent: HTML pages are tab
 * pages (framable by Teams, no X-Frame-Options: ALLOW-FROM is dead and DENY would break the tab);
 * everything else is never framable.
 */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  options: { hsts: boolean; extraFrameAncestors?: readonly string[] },
): Promise<void> {
  const pagePolicy = pageCsp(options.extraFrameAncestors);
  await app.register(helmet, {
    contentSecurityPolicy: false,
    frameguard: false,
    hsts: options.hsts ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: true, preload: false } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    xPoweredBy: true,
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) {
      reply.header('content-security-policy', pagePolicy);
      reply.removeHeader('x-frame-options');
    } else {
      reply.header('content-security-policy', API_CSP);
      reply.header('x-frame-options', 'DENY');
    }
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    return payload;
  });
}
