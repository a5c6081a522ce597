import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, qs } from '../../../api/client.ts';
import type { Role } from '../../../app/session.tsx';

export const ROLES: readonly Role[] = [
  'requester',
  'approver',
  'catalog_manager',
  'governance_admin',
  'integration_manager',
  'tenant_admin',
];

/** A role given to a user (`/roles/assignments`) or to an Entra group's members (`/roles/group-mappings`). */
export interface RoleGrant {
  id: string;
  principal: string;
  role: Role;
  createdBy: string;
  createdAt: string;
}

export type GrantKind = 'assignments' | 'group-mappings';

interface Assignment {
  assignmentId: string;
  principalId: string;
  role: Role;
  createdBy: string;
  createdAt: string;
}
interface Mapping {
  mappingId: string;
  groupId: string;
  role: Role;
  createdBy: string;
  createdAt: string;
}

function toGrant(item: Assignment | Mapping): RoleGrant {
  return 'assignmentId' in item
    ? {
        id: item.assignmentId,
        principal: item.principalId,
        role: item.role,
        createdBy: item.createdBy,
        createdAt: item.createdAt,
      }
    : {
        id: item.mappingId,
        principal: item.groupId,
        role: item.role,
        createdBy: item.createdBy,
        createdAt: item.createdAt,
      };
}

export function useGrants(kind: GrantKind) {
  return useQuery({
    queryKey: ['admin', 'roles', kind],
    queryFn: async () => {
      const page = await api<{ items: (Assignment | Mapping)[] }>(
        'GET',
        `/roles/${kind}${qs({ limit: 200 })}`,
      );
      return page.items.map(toGrant);
    },
  });
}

export function useGrantChange(kind: GrantKind) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (change: { add: { principal: string; role: Role } } | { remove: string }) =>
      'add' in change
        ? api<unknown>('POST', `/roles/${kind}`, {
            body:
              kind === 'assignments'
                ? { principalId: change.add.principal, role: change.add.role }
                : { groupId: change.add.principal, role: change.add.role },
          })
        : api<undefined>('DELETE', `/roles/${kind}/${encodeURIComponent(change.remove)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin', 'roles', kind] }),
  });
}
