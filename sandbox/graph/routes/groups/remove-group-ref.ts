import { graphErrors } from '../../http/errors.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireGroup, requireUser } from '../../model/directory.ts';

function removeRef(role: 'owners' | 'members'): GraphRoute {
  return {
    method: 'DELETE',
    url: `/v1.0/groups/:groupId/${role}/:userId/$ref`,
    permissions: PERMISSIONS.groupMembersWrite,
    handler: (call) => {
      const group = requireGroup(call.tenant, call.params.groupId ?? '');
      const user = requireUser(call.tenant, call.params.userId ?? '');
      const list = role === 'owners' ? group.ownerIds : group.memberIds;
      if (!list.includes(user.id)) throw graphErrors.directoryNotFound(user.id);
      // A Microsoft 365 group keeps at least one owner once it has one.
      if (role === 'owners' && group.groupTypes.includes('Unified') && list.length === 1) {
        throw graphErrors.directoryBadRequest(
          'The group must have at least one owner: the last owner cannot be removed.',
        );
      }
      if (role === 'owners') group.ownerIds = list.filter((id) => id !== user.id);
      else group.memberIds = list.filter((id) => id !== user.id);
      call.reply.code(204);
      return undefined;
    },
  };
}

/** `DELETE /groups/{id}/owners/{userId}/$ref` (204). */
export const removeGroupOwner = removeRef('owners');
/** `DELETE /groups/{id}/members/{userId}/$ref` (204). */
export const removeGroupMember = removeRef('members');
