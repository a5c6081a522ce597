import { jsonBody } from '../../http/body.ts';
import { graphErrors } from '../../http/errors.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { applySettings, requireActive, requireTeam } from '../../model/teams.ts';

const ALLOWED = new Set([
  'displayName',
  'description',
  'visibility',
  'classification',
  'memberSettings',
  'guestSettings',
  'messagingSettings',
  'funSettings',
  'discoverySettings',
]);

/** `PATCH /teams/{id}`: name, description, visibility and settings objects (204; 403 once archived). */
export const updateTeam: GraphRoute = {
  method: 'PATCH',
  url: '/v1.0/teams/:teamId',
  permissions: PERMISSIONS.teamWrite,
  handler: (call) => {
    const { team, group } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    requireActive(team);
    const body = jsonBody(call);
    for (const key of Object.keys(body)) {
      if (!ALLOWED.has(key) && !key.startsWith('@odata.')) {
        throw graphErrors.badRequest(
          `The property '${key}' does not exist on type 'microsoft.graph.team' or cannot be updated.`,
        );
      }
    }
    // Validate everything first: a rejected PATCH changes nothing.
    const settings = structuredClone({
      memberSettings: team.memberSettings,
      guestSettings: team.guestSettings,
      messagingSettings: team.messagingSettings,
      funSettings: team.funSettings,
      discoverySettings: team.discoverySettings,
    });
    applySettings(settings, body);
    if (
      body.displayName !== undefined &&
      (typeof body.displayName !== 'string' || body.displayName.trim() === '')
    ) {
      throw graphErrors.badRequest("'displayName' must be a non-empty string.");
    }
    if (body.description !== undefined && body.description !== null && typeof body.description !== 'string') {
      throw graphErrors.badRequest("'description' must be a string.");
    }
    let visibility: 'Public' | 'Private' | undefined;
    if (body.visibility !== undefined) {
      const v = String(body.visibility).toLowerCase();
      if (v !== 'public' && v !== 'private')
        throw graphErrors.badRequest(`Invalid visibility '${String(body.visibility)}'.`);
      visibility = v === 'public' ? 'Public' : 'Private';
    }
    Object.assign(team, settings);
    if (typeof body.displayName === 'string') group.displayName = body.displayName;
    if (body.description !== undefined) group.description = body.description as string | null;
    if (visibility) group.visibility = visibility;
    if (body.classification !== undefined)
      team.classification = (body.classification as string | null) ?? null;
    call.reply.code(204);
    return undefined;
  },
};
