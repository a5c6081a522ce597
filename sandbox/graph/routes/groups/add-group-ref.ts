import { boundKey } from '../../http/binds.ts';
import { jsonBody } from '../../http/body.ts';
import { graphErrors } from '../../http/errors.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireGroup, requireUser } from '../../model/directory.ts';

function addRef(role: 'owners' | 'members'): GraphRoute {
  return {
    method: 'POST',
    url: `/v1.0/groups/:groupId/${role}/$ref`,
    permissions: PERMISSIONS.groupMembersWrite,
    handler: (call) => {
      const group = requireGroup(call.tenant, call.params.groupId ?? '');
      const id = boundKey(jsonBody(call)['@odata.id'], ['directoryObjects', 'users']);
      if (!id) throw graphErrors.directoryBadRequest("The '@odata.id' reference is required.");
      const user = requireUser(call.tenant, id);
      const list = role === 'owners' ? group.ownerIds : group.memberIds;
      if (list.includes(user.id)) {
        throw graphErrors.directoryBadRequest(
          `One or more added object references already exist for the following modified properties: '${role}'.`,
        );
      }
      list.push(user.id);
      call.reply.code(204);
      return undefined;
    },
  };
}

/** `POST /groups/{id}/owners/$ref` (204). */
export const addGroupOwner = addRef('owners');
/** `POST /groups/{id}/members/$ref` (204). */
export const addGroupMember = addRef('members');
