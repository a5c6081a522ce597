import { type PolicyUser } from './policy-input.ts';

/** Realistic users for tests and for the admin screen's "try it" defaults. */
export const SAMPLE_USERS = {
  /** A Sales member in Germany, in the Sales-DE group. */
  anna: {
    id: '6e1f0c2a-0000-4000-8000-00000000a001',
    displayName: 'Anna Schmidt',
    mail: 'anna.schmidt@contoso.com',
    department: 'Sales',
    country: 'DE',
    jobTitle: 'Account Manager',
    officeLocation: 'Berlin',
    userType: 'Member',
    groups: ['11111111-1111-4111-8111-111111111111'],
    groupNames: ['Sales DE', 'All Staff'],
    roles: [],
  },
  /** An IT admin in the US with the Trellis admin role. */
  bob: {
    id: '6e1f0c2a-0000-4000-8000-00000000b002',
    displayName: 'Bob Jones',
    mail: 'bob.jones@contoso.com',
    department: 'IT',
    country: 'US',
    jobTitle: 'Systems Engineer',
    officeLocation: 'Seattle',
    userType: 'Member',
    groups: ['22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'],
    groupNames: ['IT Ops', 'All Staff'],
    roles: ['trellis.admin'],
  },
  /** A guest from a partner: most Graph attributes are null. */
  gina: {
    id: '6e1f0c2a-0000-4000-8000-00000000c003',
    displayName: 'Gina Guest',
    mail: 'gina@fabrikam.com',
    department: null,
    country: null,
    jobTitle: null,
    officeLocation: null,
    userType: 'Guest',
    groups: ['11111111-1111-4111-8111-111111111111'],
    groupNames: ['Sales DE'],
  },
} as const satisfies Record<string, PolicyUser>;
