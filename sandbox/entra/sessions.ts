import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.ts';

/** The sign-in session cookie (Entra's ESTSAUTH): lets `prompt=none` sign the same user in silently. */
export const SESSION_COOKIE = 'sandbox-estsauth';
const SESSION_LIFETIME_SECONDS = 12 * 3600;

/** Who is signed in, per the session cookie. */
export interface SignInSession {
  tenantId: string;
  userId: string;
  /** Epoch seconds of the interactive sign-in. */
  authTime: number;
}

function sessionAudience(ctx: SandboxContext): string {
  return `${ctx.config.origin}/session`;
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Starts a session (a JWT signed by the Entra key, so it cannot be forged by editing the cookie). */
export async function startSession(
  ctx: SandboxContext,
  reply: FastifyReply,
  session: SignInSession,
): Promise<void> {
  const token = await ctx.signers.entra.sign(
    {
      aud: sessionAudience(ctx),
      iss: ctx.config.origin,
      sub: session.userId,
      tid: session.tenantId,
      auth_time: session.authTime,
    },
    { expiresInSeconds: SESSION_LIFETIME_SECONDS, typ: 'session' },
  );
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${SESSION_LIFETIME_SECONDS}; Secure; HttpOnly; SameSite=Lax`,
  );
}

/** Ends the session. */
export function endSession(reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax`);
}

/** The current session, if its cookie is present and valid. */
export async function currentSession(
  ctx: SandboxContext,
  request: FastifyRequest,
): Promise<SignInSession | undefined> {
  const token = cookieValue(request, SESSION_COOKIE);
  if (!token) return undefined;
  try {
    const claims = await ctx.signers.entra.verify(token, {
      audience: sessionAudience(ctx),
      issuer: ctx.config.origin,
    });
    if (typeof claims.sub !== 'string' || typeof claims.tid !== 'string') return undefined;
    return {
      tenantId: claims.tid,
      userId: claims.sub,
      authTime: typeof claims.auth_time === 'number' ? claims.auth_time : Math.floor(Date.now() / 1000),
    };
  } catch {
    return undefined;
  }
}
