import { jsonBody } from '../../http/body.ts';
import { GraphError, graphErrors } from '../../http/errors.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireGroup } from '../../model/directory.ts';
import { labelById } from '../../model/labels.ts';

const UPDATABLE = ['displayName', 'description', 'mailNickname', 'visibility', 'assignedLabels'];

/**
 * `PATCH /groups/{id}`: names, visibility and `assignedLabels` (204). As in Graph, sensitivity labels can
 * only be assigned in delegated scenarios: an application token gets 401 "App-only token is not supported."
 */
export const updateGroup: GraphRoute = {
  method: 'PATCH',
  url: '/v1.0/groups/:groupId',
  permissions: PERMISSIONS.groupsWrite,
  handler: (call) => {
    const group = requireGroup(call.tenant, call.params.groupId ?? '');
    const body = jsonBody(call);
    for (const key of Object.keys(body)) {
      if (!UPDATABLE.includes(key) && !key.startsWith('@odata.')) {
        throw graphErrors.directoryBadRequest(`Property '${key}' cannot be updated here.`);
      }
    }
    // Validate everything first: a refused PATCH changes nothing.
    let labels: string[] | undefined;
    if (body.assignedLabels !== undefined) {
      if (call.caller.kind === 'application') {
        throw new GraphError(401, 'Unauthorized', 'App-only token is not supported.');
      }
      if (!Array.isArray(body.assignedLabels))
        throw graphErrors.badRequest("'assignedLabels' must be a collection.");
      labels = body.assignedLabels.map((l) => {
        const id = String((l as Record<string, unknown> | null)?.labelId ?? '');
        if (!labelById(id)) throw graphErrors.badRequest(`Invalid label id '${id}'.`);
        return id.toLowerCase();
      });
    }
    for (const key of ['displayName', 'description', 'mailNickname'] as const) {
      const value = body[key];
      if (
        value !== undefined &&
        (typeof value !== 'string' || (key !== 'description' && value.trim() === ''))
      ) {
        throw graphErrors.directoryBadRequest(
          `Invalid value specified for property '${key}' of resource 'Group'.`,
        );
      }
    }
    if (
      typeof body.mailNickname === 'string' &&
      call.tenant.directory.groups.some(
        (g) =>
          g.id !== group.id && g.mailNickname.toLowerCase() === (body.mailNickname as string).toLowerCase(),
      )
    ) {
      throw new GraphError(
        400,
        'Request_BadRequest',
        'Another object with the same value for property mailNickname already exists.',
      );
    }
    const visibility =
      body.visibility === undefined
        ? undefined
        : ['Public', 'Private', 'HiddenMembership'].find(
            (v) => v.toLowerCase() === String(body.visibility).toLowerCase(),
          );
    if (body.visibility !== undefined && !visibility) {
      throw graphErrors.directoryBadRequest(
        `Invalid value specified for property 'visibility' of resource 'Group'.`,
      );
    }
    if (typeof body.displayName === 'string') group.displayName = body.displayName;
    if (typeof body.description === 'string') group.description = body.description;
    if (typeof body.mailNickname === 'string') group.mailNickname = body.mailNickname;
    if (visibility) group.visibility = visibility as 'Public' | 'Private' | 'HiddenMembership';
    if (labels) group.assignedLabelIds = labels;
    call.reply.code(204);
    return undefined;
  },
};
