import type { BotConversation, RecordedActivity } from '../botframework/index.ts';
import { botState, installationState, registrationFor, registrationView } from '../botframework/index.ts';
import type { SandboxContext } from '../context.ts';
import { issuerFor } from '../entra/access-tokens.ts';
import { listTeams, teamTree } from '../graph/inspect.ts';
import type { AppRegistration, DirectoryUser, TenantState } from '../state/types.ts';

/** Where each simulated service of a tenant lives: what Trellis's configuration points at. */
export function tenantEndpoints(ctx: SandboxContext, tenant: TenantState): Record<string, string> {
  const origin = ctx.config.origin;
  return {
    authority: origin,
    issuer: issuerFor(ctx, tenant.id),
    openIdConfiguration: `${origin}/${tenant.id}/v2.0/.well-known/openid-configuration`,
    authorize: `${origin}/${tenant.id}/oauth2/v2.0/authorize`,
    token: `${origin}/${tenant.id}/oauth2/v2.0/token`,
    jwks: `${origin}/${tenant.id}/discovery/v2.0/keys`,
    graph: `${origin}/v1.0`,
    botOpenIdMetadata: `${origin}/v1/.well-known/openidconfiguration`,
    botTokenIssuer: 'https://api.botframework.com',
    connector: `${origin}/`,
    keyVault: origin,
    inspector: `${origin}/sandbox`,
  };
}

/** An app registration without its secrets (their number only). */
export function appView(app: AppRegistration): Record<string, unknown> {
  return {
    clientId: app.clientId,
    displayName: app.displayName,
    redirectUris: app.redirectUris,
    identifierUris: app.identifierUris,
    exposedScopes: app.exposedScopes,
    appRoles: app.appRoles,
    adminConsented: app.adminConsented,
    preAuthorizedClientIds: app.preAuthorizedClientIds,
    secretCount: app.secrets.length,
  };
}

export function tenantView(ctx: SandboxContext, tenant: TenantState): Record<string, unknown> {
  return {
    id: tenant.id,
    displayName: tenant.displayName,
    domain: tenant.domain,
    userCount: tenant.directory.users.length,
    teamCount: listTeams(tenant).length,
    apps: tenant.directory.apps.map(appView),
    bots: botState(tenant).registrations.map((r) => registrationView(tenant.id, r)),
    endpoints: tenantEndpoints(ctx, tenant),
  };
}

export function userView(tenant: TenantState, user: DirectoryUser): Record<string, unknown> {
  const appId = registrationFor(tenant)?.appId;
  return {
    id: user.id,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    mail: user.mail,
    jobTitle: user.jobTitle,
    department: user.department,
    country: user.country,
    userType: user.userType,
    accountEnabled: user.accountEnabled,
    botInstallation: appId ? installationState(tenant, appId, user.id) : 'installed',
  };
}

function textOf(activity: Record<string, unknown>): string | null {
  return typeof activity.text === 'string' ? activity.text : null;
}

/** One conversation in the list: who it is with, where, and its last activity. */
export function conversationSummary(
  tenant: TenantState,
  conversation: BotConversation,
): Record<string, unknown> {
  const user = conversation.userId
    ? tenant.directory.users.find((u) => u.id === conversation.userId)
    : undefined;
  const tree = conversation.teamId ? teamTree(tenant, conversation.teamId) : undefined;
  const channel = tree?.channels.find((c) => c.id === conversation.channelId);
  const last = conversation.activities.at(-1);
  const lastChangedDateTime = conversation.activities.reduce(
    (latest, a) => [latest, a.timestamp, a.updatedAt ?? ''].sort().at(-1) ?? latest,
    conversation.createdDateTime,
  );
  return {
    id: conversation.id,
    conversationType: conversation.conversationType,
    botAppId: conversation.botAppId,
    userId: conversation.userId,
    userDisplayName: user?.displayName ?? null,
    teamId: conversation.teamId,
    teamDisplayName: tree?.displayName ?? null,
    channelId: conversation.channelId,
    channelDisplayName: channel?.displayName ?? null,
    createdDateTime: conversation.createdDateTime,
    activityCount: conversation.activities.length,
    lastChangedDateTime,
    lastActivity: last
      ? {
          id: last.id,
          direction: last.direction,
          type: last.type,
          timestamp: last.timestamp,
          text: textOf(last.activity),
        }
      : null,
  };
}

export function activityView(recorded: RecordedActivity): Record<string, unknown> {
  const activity = recorded.activity;
  return {
    id: recorded.id,
    direction: recorded.direction,
    type: recorded.type,
    name: recorded.name,
    timestamp: recorded.timestamp,
    replyToId: recorded.replyToId,
    updatedAt: recorded.updatedAt,
    deleted: recorded.deleted,
    from: activity.from ?? null,
    text: textOf(activity),
    attachments: Array.isArray(activity.attachments) ? activity.attachments : [],
    value: activity.value ?? null,
    delivery: recorded.delivery,
    activity,
  };
}
