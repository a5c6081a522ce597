import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { DirectoryUser, TenantState } from '../../sandbox/state/types.ts';

/** The first `count` enabled members of a seeded tenant (Contoso has 31). */
export function seededMembers(tenant: TenantState, count: number): DirectoryUser[] {
  const members = tenant.directory.users.filter((u) => u.userType === 'Member' && u.accountEnabled);
  assert.ok(
    members.length >= count,
    `${tenant.displayName} has ${members.length} enabled members, ${count} wanted`,
  );
  return members.slice(0, count);
}

/** One enabled member of a seeded tenant. */
export function seededMember(tenant: TenantState): DirectoryUser {
  return seededMembers(tenant, 1)[0] as DirectoryUser;
}

/** Adds a user a test needs for itself (a fresh id, so tests do not depend on each other). */
export function addTestUser(
  tenant: TenantState,
  name: string,
  extra: Partial<DirectoryUser> = {},
): DirectoryUser {
  const [given = name, surname = 'Tester'] = name.split(' ');
  const slug = name.replace(/\s/g, '.').toLowerCase();
  const user: DirectoryUser = {
    id: randomUUID(),
    userPrincipalName: `${slug}@${tenant.domain}`,
    mail: `${slug}@${tenant.domain}`,
    displayName: name,
    givenName: given,
    surname,
    jobTitle: 'Tester',
    department: 'Quality',
    country: 'France',
    officeLocation: null,
    usageLocation: 'FR',
    preferredLanguage: 'fr-FR',
    managerId: null,
    accountEnabled: true,
    userType: 'Member',
    createdDateTime: new Date().toISOString(),
    ...extra,
  };
  tenant.directory.users.push(user);
  return user;
}
