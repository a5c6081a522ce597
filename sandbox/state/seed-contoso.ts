import { createHash, randomInt } from 'node:crypto';
import { emptyBotState } from '../botframework/state.ts';
import { seedGraph } from '../graph/seed.ts';
import { emptyGraphState } from '../graph/state.ts';
import { emptyVaultState } from '../keyvault/state.ts';
import type { AppRegistration, DirectoryGroup, DirectoryUser, TenantState } from './types.ts';

/** Fixed ids, so that docs, tests and a restarted demo all name the same Contoso objects. */
export const CONTOSO_TENANT_ID = '6f2c1b0e-4a7d-4c3e-9b1a-3c0ffee00001';
export const CONTOSO_DOMAIN = 'contoso.onmicrosoft.com';
/** Trellis's own app registration in Contoso (Graph application permissions, SSO, bot). */
export const TRELLIS_CLIENT_ID = '7a1d5e2f-8b3c-4d9e-a6f0-11e11150a001';
/** A second tenant where Trellis is registered but no admin has consented (consent errors). */
export const FABRIKAM_TENANT_ID = 'c4a3b2e1-7d6c-4b5a-9e8f-0fab41ca0002';
export const FABRIKAM_DOMAIN = 'fabrikam.onmicrosoft.com';

/** Microsoft Teams desktop/mobile and web: the clients Trellis pre-authorizes for tab SSO. */
export const TEAMS_CLIENT_IDS = {
  desktop: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
  web: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
} as const;

/** Graph application permissions an admin granted Trellis in Contoso. */
export const TRELLIS_GRAPH_APP_ROLES = [
  'Group.ReadWrite.All',
  'Team.Create',
  'TeamSettings.ReadWrite.All',
  'TeamMember.ReadWrite.All',
  'Channel.Create',
  'ChannelMember.ReadWrite.All',
  'TeamsTab.ReadWriteForTeam.All',
  'TeamsAppInstallation.ReadWriteForTeam.All',
  'Sites.ReadWrite.All',
  'Files.ReadWrite.All',
  'Tasks.ReadWrite.All',
  'User.Read.All',
  'Directory.Read.All',
  'Reports.Read.All',
  'AppCatalog.Read.All',
  'TeamworkTag.ReadWrite.All',
] as const;

/** Graph delegated permissions Trellis uses on behalf of a signed-in user (tabs, OBO). */
export const TRELLIS_GRAPH_DELEGATED_SCOPES = [
  'User.Read',
  'User.ReadBasic.All',
  'Team.ReadBasic.All',
  'Channel.ReadBasic.All',
  'Group.Read.All',
  'Files.ReadWrite.All',
  'Tasks.ReadWrite',
] as const;

/** The redirect URI of Trellis's web sign-in (the embedded default origin). */
export const TRELLIS_REDIRECT_URI = 'https://localhost:8443/auth/callback';
/** Where Entra admin consent returns to Trellis's tenant onboarding (the embedded default origin). */
export const TRELLIS_ONBOARDING_REDIRECT_URI = 'https://localhost:8443/api/v1/onboarding/callback';

/** Trellis's app roles assigned in Contoso (user nick → app role value), for the `roles` claim. */
export const CONTOSO_TRELLIS_ROLE_ASSIGNMENTS: readonly (readonly [string, string])[] = [
  ['cameron.white', 'Trellis.TenantAdmin'],
  ['lynne.robbins', 'Trellis.CatalogManager'],
  ['allan.deyoung', 'Trellis.GovernanceAdmin'],
];

/** A deterministic UUID (v5 layout over SHA-1) for a seeded object: same name, same id, every seed. */
export function seededId(name: string): string {
  const h = createHash('sha1').update(`trellis-sandbox:${name}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A client secret in Entra's format (`xxx8Q~` + 34 characters): random per seed, then kept in the
 * persisted state, so that a restarted sandbox still accepts the secret Trellis was configured with.
 */
export function newClientSecret(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~';
  const pick = (n: number) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `${pick(3)}8Q~${pick(34)}`;
}

/** nick (given.surname), job title, department, country, office, manager's nick, enabled. */
type PersonRow = [string, string, string, string, string, string | null, boolean?];

/** The language of each seeded country (preferredLanguage). */
const LANGUAGES: Record<string, string> = {
  US: 'en-US',
  GB: 'en-GB',
  DE: 'de-DE',
  FR: 'fr-FR',
  IN: 'en-IN',
  JP: 'ja-JP',
  CA: 'en-CA',
  AU: 'en-AU',
  PL: 'pl-PL',
  ES: 'es-ES',
  CZ: 'cs-CZ',
};

const capitalized = (word: string) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`;

/** Contoso's people: an executive team, department heads reporting to the CEO, staff below them. */
const CONTOSO_PEOPLE: PersonRow[] = [
  ['megan.bowen', 'Chief Executive Officer', 'Executive', 'US', 'Seattle', null],
  ['alex.wilber', 'VP Sales', 'Sales', 'US', 'Seattle', 'megan.bowen'],
  ['diego.siciliani', 'Sales Director EMEA', 'Sales', 'GB', 'London', 'alex.wilber'],
  ['johanna.lorenz', 'Account Executive', 'Sales', 'DE', 'Munich', 'diego.siciliani'],
  ['enrico.cattaneo', 'Account Executive', 'Sales', 'FR', 'Paris', 'diego.siciliani'],
  ['lidia.holloway', 'Sales Manager Americas', 'Sales', 'US', 'New York', 'alex.wilber'],
  ['isaiah.langer', 'Sales Representative', 'Sales', 'US', 'New York', 'lidia.holloway'],
  ['patti.fernandez', 'VP Marketing', 'Marketing', 'US', 'Seattle', 'megan.bowen'],
  ['miriam.graham', 'Marketing Manager', 'Marketing', 'GB', 'London', 'patti.fernandez'],
  ['nestor.wilke', 'Content Strategist', 'Marketing', 'US', 'Seattle', 'patti.fernandez'],
  ['christie.cline', 'Brand Designer', 'Marketing', 'FR', 'Paris', 'miriam.graham'],
  ['lee.gu', 'VP Engineering', 'Engineering', 'US', 'Seattle', 'megan.bowen'],
  ['pradeep.gupta', 'Engineering Manager', 'Engineering', 'IN', 'Bengaluru', 'lee.gu'],
  ['grady.archie', 'Principal Engineer', 'Engineering', 'US', 'Seattle', 'lee.gu'],
  ['adele.vance', 'Software Engineer', 'Engineering', 'US', 'Seattle', 'grady.archie'],
  ['ananya.rao', 'Software Engineer', 'Engineering', 'IN', 'Bengaluru', 'pradeep.gupta'],
  ['kenji.tanaka', 'Site Reliability Engineer', 'Engineering', 'JP', 'Tokyo', 'pradeep.gupta'],
  ['lukas.schmidt', 'Software Engineer', 'Engineering', 'DE', 'Munich', 'grady.archie'],
  ['debra.berger', 'Chief Financial Officer', 'Finance', 'US', 'New York', 'megan.bowen'],
  ['irvin.sayers', 'Financial Controller', 'Finance', 'GB', 'London', 'debra.berger'],
  ['sofia.moreau', 'Financial Analyst', 'Finance', 'FR', 'Paris', 'irvin.sayers'],
  ['henrietta.mueller', 'HR Director', 'HR', 'DE', 'Munich', 'megan.bowen'],
  ['joni.sherman', 'HR Business Partner', 'HR', 'US', 'Seattle', 'henrietta.mueller'],
  ['yuki.sato', 'Recruiter', 'HR', 'JP', 'Tokyo', 'henrietta.mueller'],
  ['allan.deyoung', 'General Counsel', 'Legal', 'US', 'New York', 'megan.bowen'],
  ['emily.braun', 'Corporate Counsel', 'Legal', 'DE', 'Munich', 'allan.deyoung'],
  ['cameron.white', 'IT Director', 'IT', 'CA', 'Toronto', 'megan.bowen'],
  ['lynne.robbins', 'Teams Administrator', 'IT', 'CA', 'Toronto', 'cameron.white'],
  ['raj.patel', 'Service Desk Analyst', 'IT', 'IN', 'Bengaluru', 'cameron.white'],
  ['ben.walters', 'Operations Manager', 'Operations', 'AU', 'Sydney', 'megan.bowen'],
  ['olivia.chen', 'Operations Analyst', 'Operations', 'AU', 'Sydney', 'ben.walters'],
  // Left the company: the account stays in the directory, disabled (cannot sign in, owns nothing).
  ['pat.kline', 'Sales Representative', 'Sales', 'US', 'New York', 'lidia.holloway', false],
];

const FABRIKAM_PEOPLE: PersonRow[] = [
  ['anna.kowalski', 'Managing Director', 'Executive', 'PL', 'Warsaw', null],
  ['tom.harris', 'IT Manager', 'IT', 'GB', 'Manchester', 'anna.kowalski'],
  ['maria.garcia', 'Sales Lead', 'Sales', 'ES', 'Madrid', 'anna.kowalski'],
  ['jan.novak', 'Accountant', 'Finance', 'CZ', 'Prague', 'anna.kowalski'],
];

function directoryUsers(
  tenantKey: string,
  domain: string,
  people: PersonRow[],
  created: string,
): DirectoryUser[] {
  const idOf = (nick: string) => seededId(`${tenantKey}:user:${nick}`);
  return people.map(([nick, title, department, country, office, manager, enabled]) => {
    const [given = nick, surname = ''] = nick.split('.').map(capitalized);
    return {
      id: idOf(nick),
      userPrincipalName: `${nick}@${domain}`,
      mail: `${nick}@${domain}`,
      displayName: `${given} ${surname}`,
      givenName: given,
      surname,
      jobTitle: title,
      department,
      country,
      officeLocation: office,
      usageLocation: country,
      preferredLanguage: LANGUAGES[country] ?? 'en-US',
      managerId: manager ? idOf(manager) : null,
      accountEnabled: enabled ?? true,
      userType: 'Member',
      createdDateTime: created,
    };
  });
}

/** A B2B guest in Contoso (a Fabrikam partner), as Entra names invited accounts. */
function contosoGuest(): DirectoryUser {
  return {
    id: seededId('contoso:user:guest:maria.garcia'),
    userPrincipalName: `maria.garcia_fabrikam.onmicrosoft.com#EXT#@${CONTOSO_DOMAIN}`,
    mail: 'maria.garcia@fabrikam.onmicrosoft.com',
    displayName: 'Maria Garcia (Fabrikam)',
    givenName: 'Maria',
    surname: 'Garcia',
    jobTitle: 'Sales Lead',
    department: null,
    country: 'ES',
    officeLocation: null,
    usageLocation: 'ES',
    preferredLanguage: 'es-ES',
    managerId: null,
    accountEnabled: true,
    userType: 'Guest',
    createdDateTime: '2025-03-10T14:00:00Z',
  };
}

function group(
  tenantKey: string,
  domain: string,
  spec: {
    nick: string;
    name: string;
    description: string;
    unified: boolean;
    visibility: DirectoryGroup['visibility'];
    owners: string[];
    members: string[];
    created: string;
  },
): DirectoryGroup {
  return {
    id: seededId(`${tenantKey}:group:${spec.nick}`),
    displayName: spec.name,
    mailNickname: spec.nick,
    mail: spec.unified ? `${spec.nick}@${domain}` : null,
    description: spec.description,
    visibility: spec.unified ? spec.visibility : null,
    groupTypes: spec.unified ? ['Unified'] : [],
    mailEnabled: spec.unified,
    securityEnabled: !spec.unified,
    resourceProvisioningOptions: [],
    ownerIds: [...new Set(spec.owners)],
    // Owners of Microsoft 365 groups are members too.
    memberIds: [...new Set([...spec.owners, ...spec.members])],
    createdDateTime: spec.created,
    replicatedAt: spec.created,
  };
}

function contosoGroups(users: DirectoryUser[]): DirectoryGroup[] {
  const id = (nick: string) => seededId(`contoso:user:${nick}`);
  const enabledMembers = users.filter((u) => u.userType === 'Member' && u.accountEnabled);
  const dept = (d: string) => enabledMembers.filter((u) => u.department === d).map((u) => u.id);
  const managers = new Set(users.map((u) => u.managerId).filter((m): m is string => m !== null));
  const created = '2024-02-01T09:00:00Z';
  return [
    group('contoso', CONTOSO_DOMAIN, {
      nick: 'allcompany',
      name: 'All Company',
      description: 'Everyone at Contoso: company-wide announcements.',
      unified: true,
      visibility: 'Public',
      owners: [id('megan.bowen'), id('lynne.robbins')],
      members: enabledMembers.map((u) => u.id),
      created,
    }),
    group('contoso', CONTOSO_DOMAIN, {
      nick: 'salesemea',
      name: 'Sales EMEA',
      description: 'Sales team for Europe, the Middle East and Africa.',
      unified: true,
      visibility: 'Private',
      owners: [id('diego.siciliani')],
      members: enabledMembers
        .filter((u) => u.department === 'Sales' && ['GB', 'DE', 'FR'].includes(u.country ?? ''))
        .map((u) => u.id),
      created,
    }),
    group('contoso', CONTOSO_DOMAIN, {
      nick: 'marketing',
      name: 'Marketing',
      description: 'Campaigns, brand and content.',
      unified: true,
      visibility: 'Public',
      owners: [id('patti.fernandez')],
      members: dept('Marketing'),
      created,
    }),
    group('contoso', CONTOSO_DOMAIN, {
      nick: 'engineeringleads',
      name: 'Engineering Leads',
      description: 'Engineering managers and principal engineers (security group).',
      unified: false,
      visibility: null,
      owners: [id('lee.gu')],
      members: dept('Engineering').filter((u) => managers.has(u)),
      created,
    }),
    group('contoso', CONTOSO_DOMAIN, {
      nick: 'financeteam',
      name: 'Finance',
      description: 'Finance department (security group for finance systems).',
      unified: false,
      visibility: null,
      owners: [id('debra.berger')],
      members: dept('Finance'),
      created,
    }),
    group('contoso', CONTOSO_DOMAIN, {
      nick: 'itadmins',
      name: 'IT Admins',
      description: 'Administrators of Microsoft 365 and Trellis (security group).',
      unified: false,
      visibility: null,
      owners: [id('cameron.white')],
      members: dept('IT'),
      created,
    }),
    group('contoso', CONTOSO_DOMAIN, {
      nick: 'legalhr',
      name: 'Legal and HR',
      description: 'Confidential matters shared by Legal and HR.',
      unified: true,
      visibility: 'Private',
      owners: [id('allan.deyoung'), id('henrietta.mueller')],
      members: [...dept('Legal'), ...dept('HR')],
      created,
    }),
  ];
}

/** Trellis's registration (one multi-tenant app: same client id and secret in every tenant). */
function trellisApp(secret: string, adminConsented: boolean): AppRegistration {
  return {
    clientId: TRELLIS_CLIENT_ID,
    displayName: 'Trellis',
    secrets: [secret],
    identifierUris: [`api://localhost:8443/${TRELLIS_CLIENT_ID}`, `api://botid-${TRELLIS_CLIENT_ID}`],
    exposedScopes: ['access_as_user'],
    appRoles: adminConsented ? [...TRELLIS_GRAPH_APP_ROLES] : [],
    adminConsented,
    redirectUris: [TRELLIS_REDIRECT_URI, TRELLIS_ONBOARDING_REDIRECT_URI],
    preAuthorizedClientIds: [TEAMS_CLIENT_IDS.desktop, TEAMS_CLIENT_IDS.web],
    delegatedPermissions: adminConsented
      ? { 'https://graph.microsoft.com': [...TRELLIS_GRAPH_DELEGATED_SCOPES] }
      : {},
    requiredResourceAccess: {
      appRoles: [...TRELLIS_GRAPH_APP_ROLES],
      delegatedPermissions: { 'https://graph.microsoft.com': [...TRELLIS_GRAPH_DELEGATED_SCOPES] },
    },
    appRoleAssignments: [],
  };
}

/** Microsoft Teams' first-party clients, present in every tenant; they request Trellis's SSO token. */
function teamsClients(): AppRegistration[] {
  const teams = (clientId: string, displayName: string): AppRegistration => ({
    clientId,
    displayName,
    secrets: [],
    identifierUris: [],
    exposedScopes: [],
    appRoles: [],
    adminConsented: true,
    redirectUris: ['https://teams.microsoft.com/go', 'https://teams.cloud.microsoft/go'],
    preAuthorizedClientIds: [],
    publicClient: true,
  });
  return [
    teams(TEAMS_CLIENT_IDS.desktop, 'Microsoft Teams'),
    teams(TEAMS_CLIENT_IDS.web, 'Microsoft Teams Web Client'),
  ];
}

function emptyTenant(id: string, displayName: string, domain: string): TenantState {
  return {
    id,
    displayName,
    domain,
    directory: { users: [], groups: [], apps: [] },
    graph: emptyGraphState(),
    bot: emptyBotState(),
    vault: emptyVaultState(),
  };
}

/**
 * The demo world: Contoso (about 30 users across departments and countries, manager chains, groups,
 * Trellis admin-consented) and Fabrikam (a few users, Trellis registered without consent).
 */
export function seedContoso(): TenantState[] {
  const secret = newClientSecret();

  const contoso = emptyTenant(CONTOSO_TENANT_ID, 'Contoso', CONTOSO_DOMAIN);
  const contosoUsers = [
    ...directoryUsers('contoso', CONTOSO_DOMAIN, CONTOSO_PEOPLE, '2024-01-15T09:00:00Z'),
    contosoGuest(),
  ];
  contoso.directory.users = contosoUsers;
  contoso.directory.groups = contosoGroups(contosoUsers);
  const trellisInContoso = trellisApp(secret, true);
  trellisInContoso.appRoleAssignments = CONTOSO_TRELLIS_ROLE_ASSIGNMENTS.map(([nick, appRole]) => ({
    principalId: seededId(`contoso:user:${nick}`),
    appRole,
  }));
  contoso.directory.apps = [trellisInContoso, ...teamsClients()];
  contoso.directory.globalAdministratorIds = [seededId('contoso:user:cameron.white')];
  seedGraph(contoso);

  const fabrikam = emptyTenant(FABRIKAM_TENANT_ID, 'Fabrikam', FABRIKAM_DOMAIN);
  fabrikam.directory.users = directoryUsers(
    'fabrikam',
    FABRIKAM_DOMAIN,
    FABRIKAM_PEOPLE,
    '2025-01-20T09:00:00Z',
  );
  fabrikam.directory.groups = [
    group('fabrikam', FABRIKAM_DOMAIN, {
      nick: 'everyone',
      name: 'Everyone at Fabrikam',
      description: 'All Fabrikam staff.',
      unified: true,
      visibility: 'Public',
      owners: [seededId('fabrikam:user:anna.kowalski')],
      members: fabrikam.directory.users.map((u) => u.id),
      created: '2025-01-20T09:00:00Z',
    }),
  ];
  fabrikam.directory.apps = [trellisApp(secret, false), ...teamsClients()];
  fabrikam.directory.globalAdministratorIds = [seededId('fabrikam:user:tom.harris')];
  // Graph's demo content (teams, files, plans) is Contoso's; Fabrikam starts with an empty Graph state.

  return [contoso, fabrikam];
}
