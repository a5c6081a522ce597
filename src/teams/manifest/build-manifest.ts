import { readFileSync } from 'node:fs';
import type { TeamsManifestV1D30 } from '@microsoft/app-manifest';
import type { Config } from '../../config.ts';
import { errors } from '../../errors/index.ts';
import { TRELLIS_ACCENT_COLOR } from './icons.ts';

/**
 * The manifest schema version: the newest that @microsoft/app-manifest bundles (and its validator
 * compiles). Moving up means changing this, the type below and checking the new schema's changes.
 */
export const MANIFEST_VERSION = '1.30';
export const MANIFEST_SCHEMA_URL = `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;

/** A Teams app manifest of the schema version above. */
export type TeamsAppManifest = TeamsManifestV1D30.TeamsManifestV1D30;

/** File names of the icons in the package, as the manifest names them. */
export const ICON_FILES = { color: 'color.png', outline: 'outline.png' } as const;

/** Entity ids of the personal tabs (`/tabs/<entityId>` serves each). */
export const STATIC_TAB_IDS = {
  catalog: 'catalog',
  requests: 'requests',
  approvals: 'approvals',
  governance: 'governance',
  admin: 'admin',
} as const;
export type StaticTabId = (typeof STATIC_TAB_IDS)[keyof typeof STATIC_TAB_IDS];

/** Command ids of the message extension: the bot's invoke handlers dispatch on them. */
export const COMPOSE_COMMAND_IDS = {
  searchTrellis: 'searchTrellis',
  requestTeam: 'requestTeam',
  shareRequest: 'shareRequest',
} as const;
export type ComposeCommandId = (typeof COMPOSE_COMMAND_IDS)[keyof typeof COMPOSE_COMMAND_IDS];

/** The search command's one parameter: the text people type. */
export const SEARCH_PARAMETER_NAME = 'query';

const STATIC_TABS: readonly { entityId: StaticTabId; name: string }[] = [
  { entityId: STATIC_TAB_IDS.catalog, name: 'Catalog' },
  { entityId: STATIC_TAB_IDS.requests, name: 'My requests' },
  { entityId: STATIC_TAB_IDS.approvals, name: 'Approvals' },
  { entityId: STATIC_TAB_IDS.governance, name: 'Governance' },
  { entityId: STATIC_TAB_IDS.admin, name: 'Admin' },
];

/** The bot's commands as Teams suggests them, per scope. */
export const BOT_COMMANDS = {
  personal: [
    { title: 'help', description: 'What Trellis can do for you' },
    { title: 'templates', description: 'The templates you can request a team from' },
    { title: 'new team', description: 'Request a new team from a template' },
    { title: 'my requests', description: 'Your team requests and where they stand' },
    { title: 'approvals', description: 'Requests waiting for your decision' },
    { title: 'status', description: 'status <request id>: progress of a request' },
  ],
  conversation: [
    { title: 'help', description: 'What Trellis can do in this team or chat' },
    { title: 'status', description: 'status <request id>: progress of a request' },
  ],
} as const;

const SHORT_DESCRIPTION = 'Request teams from approved templates, with approvals and governance.';
const FULL_DESCRIPTION =
  'Trellis brings collaboration governance into Microsoft Teams. Browse the template catalog of ' +
  'your organisation and request a new team in a few steps: naming rules are applied for you, ' +
  'and the request goes to the right approvers. Approvers decide from a card in Teams; once ' +
  'approved, the team is created with its channels, tabs, files, plans and owners exactly as ' +
  'the template describes, and you follow its progress live. Governance admins review ' +
  'ownership, expiry and activity of the teams Trellis manages.';

export interface BuildManifestOptions {
  /** The app's version (x.y.z); default: Trellis's own version from package.json. */
  version?: string;
}

/** Trellis's version as the manifest wants it: x.y.z only (no pre-release or build suffix). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const core = /^(\d+)\.(\d+)\.(\d+)/.exec(pkg.version);
  if (!core) throw errors.internal(`package.json version "${pkg.version}" is not semver`);
  return core.slice(1, 4).map(Number).join('.');
}

/** The Teams app's id: `TEAMS_APP_ID`, else the Entra client id; undefined without Microsoft 365. */
export function teamsAppIdOf(config: Config): string | undefined {
  return config.teams.appId ?? config.m365.clientId;
}

/**
 * Domains the tabs may load: the public URL's host, then `TEAMS_VALID_DOMAINS`, without repeats.
 * The host keeps a non-default port (`localhost:8443`): the v1.30 schema puts no pattern on these
 * entries, and local development setups list `localhost:<port>` the same way.
 */
export function validDomainsOf(config: Config): string[] {
  return [...new Set([new URL(config.publicUrl).host, ...config.teams.validDomains])];
}

/**
 * The Teams app manifest (schema v1.30) of this deployment: personal tabs, a configurable tab,
 * the bot and the message extension, and SSO (`webApplicationInfo`), all under `PUBLIC_URL`.
 * @throws AppError(config_invalid) naming M365_CLIENT_ID when Microsoft 365 is not configured:
 *   the bot, the message extension and SSO all are the Entra app.
 */
export function buildManifest(config: Config, options: BuildManifestOptions = {}): TeamsAppManifest {
  const clientId = config.m365.clientId;
  const appId = teamsAppIdOf(config);
  if (!clientId || !appId) {
    throw errors.config(
      'M365_CLIENT_ID',
      'is required for the Teams app package (its bot, message extension and sign-in are the Entra app): ' +
        'set M365_TENANT_ID, M365_CLIENT_ID and M365_CLIENT_SECRET (TEAMS_APP_ID optionally sets another app id)',
    );
  }
  const base = config.publicUrl;
  const name = config.teams.appName;
  return {
    $schema: MANIFEST_SCHEMA_URL,
    manifestVersion: MANIFEST_VERSION,
    version: options.version ?? packageVersion(),
    id: appId,
    developer: {
      name: 'Trellis',
      websiteUrl: `${base}/`,
      privacyUrl: `${base}/privacy`,
      termsOfUseUrl: `${base}/terms`,
    },
    name: { short: name, full: `${name}: team requests and governance` },
    description: { short: SHORT_DESCRIPTION, full: FULL_DESCRIPTION },
    icons: { color: ICON_FILES.color, outline: ICON_FILES.outline },
    accentColor: TRELLIS_ACCENT_COLOR,
    staticTabs: [
      ...STATIC_TABS.map((tab) => ({
        entityId: tab.entityId,
        name: tab.name,
        contentUrl: `${base}/tabs/${tab.entityId}?inTeams=1`,
        websiteUrl: `${base}/tabs/${tab.entityId}`,
        scopes: ['personal' as const],
      })),
      // Teams' built-in tabs: the chat with the bot, and the app's About page.
      { entityId: 'conversations', scopes: ['personal'] },
      { entityId: 'about', scopes: ['personal'] },
    ],
    configurableTabs: [
      {
        configurationUrl: `${base}/tabs/config`,
        canUpdateConfiguration: true,
        scopes: ['team', 'groupChat'],
        context: ['channelTab', 'privateChatTab', 'meetingChatTab'],
      },
    ],
    bots: [
      {
        botId: clientId,
        scopes: ['personal', 'team', 'groupChat'],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [
          { scopes: ['personal'], commands: BOT_COMMANDS.personal.map((c) => ({ ...c })) },
          { scopes: ['team', 'groupChat'], commands: BOT_COMMANDS.conversation.map((c) => ({ ...c })) },
        ],
      },
    ],
    composeExtensions: [
      {
        botId: clientId,
        commands: [
          {
            id: COMPOSE_COMMAND_IDS.searchTrellis,
            type: 'query',
            title: 'Search Trellis',
            description: 'Find templates and team requests',
            initialRun: true,
            context: ['compose', 'commandBox'],
            parameters: [
              {
                name: SEARCH_PARAMETER_NAME,
                title: 'Search',
                description: 'Words from a template or request name',
                inputType: 'text',
              },
            ],
          },
          {
            id: COMPOSE_COMMAND_IDS.requestTeam,
            type: 'action',
            title: 'Request a team',
            description: 'Request a new team from a template',
            fetchTask: true,
            context: ['compose', 'commandBox', 'message'],
          },
          {
            id: COMPOSE_COMMAND_IDS.shareRequest,
            type: 'action',
            title: 'Share a request',
            description: 'Post a card of one of your requests',
            fetchTask: true,
            context: ['compose', 'commandBox'],
          },
        ],
      },
    ],
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: validDomainsOf(config),
    webApplicationInfo: {
      id: clientId,
      // The App ID URI Trellis's sign-in accepts as an audience too (src/identity).
      resource: `api://${new URL(base).host}/${clientId}`,
    },
  };
}
