import type { DirectoryGroup } from '../../../state/types.ts';
import { boundKey } from '../../http/binds.ts';
import { jsonBody, optionalString, requiredString } from '../../http/body.ts';
import { GraphError, graphErrors } from '../../http/errors.ts';
import { guid, randomIds } from '../../http/ids.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphCall, GraphRoute } from '../../http/route.ts';
import { groupShape, requireUser } from '../../model/directory.ts';
import { ensureGroupDrive } from '../../model/drive.ts';

const MAIL_NICKNAME = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/;

function boundUsers(call: GraphCall, body: Record<string, unknown>, key: string): string[] {
  const value = body[key];
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw graphErrors.directoryBadRequest(`'${key}' must be a collection of references.`);
  return value.map((ref) => {
    const id = boundKey(ref, ['users', 'directoryObjects']);
    if (!id) throw graphErrors.directoryBadRequest(`Invalid reference '${String(ref)}' in '${key}'.`);
    return requireUser(call.tenant, id).id;
  });
}

/** `POST /groups` (Microsoft 365 groups with `owners@odata.bind` / `members@odata.bind`): 201 + group. */
export const createGroup: GraphRoute = {
  method: 'POST',
  url: '/v1.0/groups',
  permissions: PERMISSIONS.groupsCreate,
  handler: (call) => {
    const body = jsonBody(call);
    const displayName = requiredString(body, 'displayName');
    const mailNickname = requiredString(body, 'mailNickname');
    if (!MAIL_NICKNAME.test(mailNickname) || mailNickname.length > 64) {
      throw graphErrors.directoryBadRequest(
        `Invalid value specified for property 'mailNickname' of resource 'Group'.`,
      );
    }
    for (const key of ['mailEnabled', 'securityEnabled']) {
      if (typeof body[key] !== 'boolean')
        throw graphErrors.directoryBadRequest(`The '${key}' property is required.`);
    }
    const groupTypes = body.groupTypes ?? [];
    if (!Array.isArray(groupTypes) || groupTypes.some((t) => t !== 'Unified' && t !== 'DynamicMembership')) {
      throw graphErrors.directoryBadRequest(
        `Invalid value specified for property 'groupTypes' of resource 'Group'.`,
      );
    }
    const visibility = optionalString(body, 'visibility');
    const visibilities = ['Public', 'Private', 'HiddenMembership'];
    const matched =
      visibility === null ? null : visibilities.find((v) => v.toLowerCase() === visibility.toLowerCase());
    if (visibility !== null && !matched) {
      throw graphErrors.directoryBadRequest(
        `Invalid value specified for property 'visibility' of resource 'Group'.`,
      );
    }
    if (
      call.tenant.directory.groups.some((g) => g.mailNickname.toLowerCase() === mailNickname.toLowerCase())
    ) {
      throw new GraphError(
        400,
        'Request_BadRequest',
        'Another object with the same value for property mailNickname already exists.',
      );
    }
    const owners = boundUsers(call, body, 'owners@odata.bind');
    const members = boundUsers(call, body, 'members@odata.bind');
    if (owners.length + members.length > 20) {
      throw graphErrors.directoryBadRequest(
        'At most 20 owners and members can be added when creating a group.',
      );
    }
    const unified = groupTypes.includes('Unified');
    const group: DirectoryGroup = {
      id: guid(randomIds),
      displayName,
      mailNickname,
      mail: body.mailEnabled ? `${mailNickname}@${call.tenant.domain}` : null,
      description: optionalString(body, 'description'),
      visibility: (matched as DirectoryGroup['visibility']) ?? (unified ? 'Public' : null),
      groupTypes: groupTypes as string[],
      mailEnabled: body.mailEnabled as boolean,
      securityEnabled: body.securityEnabled as boolean,
      resourceProvisioningOptions: [],
      ownerIds: [...new Set(owners)],
      memberIds: [...new Set(members)],
      createdDateTime: call.now.toISOString(),
      // Eventual consistency: Teams and SharePoint learn of the group only after this.
      replicatedAt: new Date(call.now.getTime() + call.ctx.faults.replicationLagMs()).toISOString(),
    };
    call.tenant.directory.groups.push(group);
    if (unified) ensureGroupDrive(call.tenant, call.graph, group, randomIds, call.now);
    call.reply.code(201).header('Location', `${call.base}/groups/${group.id}`);
    return { '@odata.context': `${call.base}/$metadata#groups/$entity`, ...groupShape(group, false) };
  },
};
