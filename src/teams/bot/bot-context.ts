import { type Caller, userCaller } from '../../api/caller.ts';
import type { Config } from '../../config.ts';
import type { IdentityService } from '../../identity/index.ts';
import type { CardContext } from '../cards/request-cards.ts';
import { teamsAppIdOf } from '../manifest/index.ts';
import { type Locale, localeOf, translator } from '../i18n.ts';

/** The parts of an inbound activity the bot reads to know who acts, where, in which language. */
export interface InboundActivity {
  id?: string;
  type: string;
  name?: string;
  text?: string;
  locale?: string;
  serviceUrl: string;
  replyToId?: string;
  from: { id: string; name?: string; aadObjectId?: string };
  recipient: { id: string; name?: string };
  conversation: { id: string; conversationType?: string; tenantId?: string; isGroup?: boolean };
  channelData?: {
    tenant?: { id?: string };
    team?: { id?: string; name?: string; aadGroupId?: string };
    channel?: { id?: string };
    eventType?: string;
  };
  membersAdded?: { id: string }[];
  entities?: { type: string; locale?: string }[];
  value?: unknown;
}

export function entraTenantOf(activity: InboundActivity): string | undefined {
  return activity.conversation.tenantId ?? activity.channelData?.tenant?.id;
}

/**
 * The language to answer in: the activity's (Teams sends the client's locale), else the user's
 * preferred language from the directory (install events carry no locale).
 */
export function localeOfActivity(activity: InboundActivity, caller?: BotCaller): Locale {
  return localeOf(
    activity.locale ??
      activity.entities?.find((e) => e.type === 'clientInfo')?.locale ??
      caller?.preferredLanguage,
  );
}

/** A caller resolved from an activity, with the directory's preferred language. */
export type BotCaller = Caller & { preferredLanguage?: string | null };

/** The Trellis caller behind an activity: Bot Framework vouched for the user, Trellis adds tenant and roles. */
export async function callerOf(identity: IdentityService, activity: InboundActivity): Promise<BotCaller> {
  const entraTenantId = entraTenantOf(activity) ?? '';
  const user = await identity.resolveMember(entraTenantId, activity.from.aadObjectId ?? '', {
    displayName: activity.from.name ?? null,
  });
  return { ...userCaller(user), preferredLanguage: user.preferredLanguage ?? null };
}

/** Trellis itself reading a tenant's requests to notify people (never exposed to a user). */
export function systemCaller(tenantId: string): Caller {
  return {
    tenantId,
    kind: 'api_token',
    id: 'trellis-bot',
    displayName: 'Trellis',
    roles: [],
    scopes: new Set(['requests:read', 'catalog:read']),
  };
}

export function cardContext(config: Config, entraTenantId: string, locale: Locale): CardContext {
  return {
    t: translator(locale),
    appId: teamsAppIdOf(config) ?? '',
    entraTenantId,
    publicUrl: config.publicUrl,
  };
}
