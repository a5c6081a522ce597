import { AppError, ErrorCode, errors } from '../errors/index.ts';
import type { GraphClient } from './graph-client.ts';
import { GraphError } from './graph-error.ts';

/**
 * A signed-in user as Graph's on-behalf-of flow needs them: the Entra tenant they signed in from and
 * their own access token for Trellis's API (the Teams SSO token, or the browser session's token).
 */
export interface SignedInUser {
  entraTenantId: string;
  /** Their Entra object id. */
  userId: string;
  assertion: string;
}

/** Where an administrator grants Trellis the delegated permissions it asks for (Entra admin consent). */
export const CONSENT_PATH = '/api/v1/onboarding/consent';

/** The delegated permission that lists a user's teams (`GET /me/joinedTeams`), least privileged. */
export const JOINED_TEAMS_SCOPES = ['Team.ReadBasic.All'] as const;

export interface JoinedTeam {
  teamId: string;
  displayName: string;
  description: string | null;
  isArchived: boolean;
}

/**
 * What a delegated Graph failure means to the user: no consent in their tenant (403 consent_required,
 * with the permissions and where an admin grants them), a sign-in Entra refused (401), else Graph
 * unavailable. Anything that is not a GraphError is returned as it is.
 */
export function delegatedFailure(error: unknown, scopes: readonly string[]): unknown {
  if (!(error instanceof GraphError)) return error;
  if (error.graphCode === 'ConsentRequired') {
    return new AppError(
      ErrorCode.ConsentRequired,
      `Your organisation has not allowed Trellis to use ${scopes.join(', ')} on your behalf. An administrator can grant it.`,
      { details: { scopes: [...scopes], consentUrl: CONSENT_PATH }, cause: error },
    );
  }
  if (error.status === 401) {
    return errors.unauthorized('Microsoft Entra refused your sign-in for Microsoft Graph: sign in again.');
  }
  if (error.status === 403 || error.status === 404) {
    return errors.forbidden(`Microsoft Graph refused the call on your behalf (${error.graphCode}).`);
  }
  return errors.unavailable(`Microsoft Graph did not answer the call on your behalf (${error.graphCode}).`);
}

/** The teams the user is a member or owner of, read with their own rights (`GET /me/joinedTeams`). */
export async function listJoinedTeams(graph: GraphClient, user: SignedInUser): Promise<JoinedTeam[]> {
  try {
    const teams = await graph
      .forUser(user.entraTenantId, user.assertion, JOINED_TEAMS_SCOPES)
      .all<{ id: string; displayName?: string | null; description?: string | null; isArchived?: boolean }>(
        '/me/joinedTeams',
        undefined,
        { max: 1000 },
      );
    return teams
      .map((t) => ({
        teamId: t.id,
        displayName: t.displayName ?? t.id,
        description: t.description ?? null,
        isArchived: t.isArchived === true,
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  } catch (error) {
    throw delegatedFailure(error, JOINED_TEAMS_SCOPES);
  }
}
