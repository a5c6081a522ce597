import type { Cache } from '../cache/index.ts';
import type { ExistingGroup } from '../naming/index.ts';
import type { PolicyUser } from '../policy/index.ts';
import type { Logger } from '../telemetry/index.ts';
import type { Directory, DirectoryGroupRef, DirectoryUser, TenantDirectory } from './directory-types.ts';
import type { GraphClient, TenantGraph } from './graph-client.ts';
import { isGraphError } from './graph-error.ts';
import { graphPath, odataString } from './graph-query.ts';

/** How long directory answers are reused. */
export interface DirectoryTtls {
  /** Users and groups. */
  entityMs: number;
  /** Memberships, group members, user searches. */
  membershipMs: number;
  /** "Not found" and name-conflict answers (a name taken a moment ago must show soon). */
  negativeMs: number;
}

/** Short enough that a directory change shows within minutes, long enough to spare Graph's quotas. */
export const DEFAULT_DIRECTORY_TTLS: Readonly<DirectoryTtls> = Object.freeze({
  entityMs: 5 * 60_000,
  membershipMs: 2 * 60_000,
  negativeMs: 30_000,
});

/** The user properties Trellis reads (`$select`): Graph returns only a default set without it. */
export const DIRECTORY_USER_SELECT = [
  'id',
  'userPrincipalName',
  'displayName',
  'mail',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'country',
  'officeLocation',
  'usageLocation',
  'companyName',
  'preferredLanguage',
  'userType',
  'accountEnabled',
] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Every UPN has one `@` and no whitespace, slash or control character (guests' hold `#EXT#`).
const UPN = /^[^\s@/\\\p{Cc}]+@[^\s@/\\\p{Cc}]+$/u;
const MAX_SEARCH_LENGTH = 100;
const MAX_SEARCH_TOP = 50;

type Json = Record<string, unknown>;

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A Graph user object as a DirectoryUser (unset attributes null). */
export function toDirectoryUser(raw: Json): DirectoryUser {
  const userType = raw['userType'];
  return {
    id: String(raw['id']),
    userPrincipalName: str(raw['userPrincipalName']) ?? '',
    displayName: str(raw['displayName']) ?? '',
    mail: str(raw['mail']),
    givenName: str(raw['givenName']),
    surname: str(raw['surname']),
    jobTitle: str(raw['jobTitle']),
    department: str(raw['department']),
    country: str(raw['country']),
    officeLocation: str(raw['officeLocation']),
    usageLocation: str(raw['usageLocation']),
    companyName: str(raw['companyName']),
    preferredLanguage: str(raw['preferredLanguage']),
    userType: userType === 'Member' || userType === 'Guest' ? userType : null,
    accountEnabled: typeof raw['accountEnabled'] === 'boolean' ? raw['accountEnabled'] : null,
  };
}

/** Whether `value` can name a user in `/users/{id | userPrincipalName}`. */
export function isUserKey(value: string): boolean {
  return GUID.test(value) || UPN.test(value);
}

/**
 * The directory over Microsoft Graph v1.0, app-only, with answers cached in the shared cache
 * (keys namespaced by Entra tenant) and concurrent identical reads sharing one Graph call.
 * Not-found is null or []; other Graph failures throw GraphError. A cache outage only costs
 * Graph calls.
 */
export function createDirectory(options: {
  graph: GraphClient;
  cache: Cache;
  log: Logger;
  ttls?: Partial<DirectoryTtls>;
}): Directory {
  const { cache, log } = options;
  const ttls: DirectoryTtls = { ...DEFAULT_DIRECTORY_TTLS, ...options.ttls };
  const inFlight = new Map<string, Promise<unknown>>();
  const tenants = new Map<string, TenantDirectory>();

  /** Cached read: the value is wrapped so that a cached `null` (not found) is told from a miss. */
  const cached = async <T>(key: string, ttlOf: (value: T) => number, load: () => Promise<T>): Promise<T> => {
    try {
      const hit = await cache.get<{ v: T }>(key);
      if (hit !== undefined) return hit.v;
    } catch (error) {
      log.debug({ err: error, key }, 'directory cache read failed');
    }
    const pending = inFlight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const promise = (async () => {
      const value = await load();
      try {
        await cache.set(key, { v: value }, ttlOf(value));
      } catch (error) {
        log.debug({ err: error, key }, 'directory cache write failed');
      }
      return value;
    })();
    inFlight.set(key, promise);
    try {
      return await promise;
    } finally {
      inFlight.delete(key);
    }
  };

  /** null on 404 (the object does not exist, or the user has no manager). */
  const orNull = async <T>(load: () => Promise<T>): Promise<T | null> => {
    try {
      return await load();
    } catch (error) {
      if (isGraphError(error, 404)) return null;
      throw error;
    }
  };

  const forTenant = (entraTenantId: string): TenantDirectory => {
    const tenant = entraTenantId.toLowerCase();
    const existing = tenants.get(tenant);
    if (existing) return existing;
    const graph: TenantGraph = options.graph.forTenant(tenant);
    const key = (...parts: string[]) => `graph:dir:${tenant}:${parts.join(':')}`;
    const userTtl = (u: DirectoryUser | null) => (u ? ttls.entityMs : ttls.negativeMs);
    const listTtl = (list: readonly unknown[] | null) =>
      list && list.length > 0 ? ttls.membershipMs : ttls.negativeMs;

    const getUser = async (idOrUpn: string): Promise<DirectoryUser | null> => {
      const id = idOrUpn.trim();
      if (!isUserKey(id)) return null;
      return cached(key('user', id.toLowerCase()), userTtl, async () => {
        const raw = await orNull(() =>
          graph.request<Json>('GET', graphPath`/users/${id}`, { query: { select: DIRECTORY_USER_SELECT } }),
        );
        const user = raw ? toDirectoryUser(raw) : null;
        if (user) {
          // Found by UPN: the same answer serves lookups by object id (and the reverse).
          const other = id.toLowerCase() === user.id.toLowerCase() ? user.userPrincipalName : user.id;
          if (other) {
            await cache
              .set(key('user', other.toLowerCase()), { v: user }, ttls.entityMs)
              .catch(() => undefined);
          }
        }
        return user;
      });
    };

    const getUserGroups = async (userId: string): Promise<DirectoryGroupRef[]> => {
      const id = userId.trim();
      if (!isUserKey(id)) return [];
      return cached(key('groups', id.toLowerCase()), listTtl, async () => {
        const groups = await orNull(() =>
          graph.all<Json>(graphPath`/users/${id}/transitiveMemberOf/microsoft.graph.group`, {
            select: ['id', 'displayName'],
            top: 999,
          }),
        );
        return (groups ?? []).map((g) => ({ id: String(g['id']), displayName: str(g['displayName']) ?? '' }));
      });
    };

    const getManager = async (userId: string): Promise<DirectoryUser | null> => {
      const id = userId.trim();
      if (!isUserKey(id)) return null;
      return cached(key('manager', id.toLowerCase()), userTtl, async () => {
        const raw = await orNull(() =>
          graph.request<Json>('GET', graphPath`/users/${id}/manager`, {
            query: { select: DIRECTORY_USER_SELECT },
          }),
        );
        // The manager may be a contact or another kind of directory object: only users count.
        if (!raw || (raw['@odata.type'] !== undefined && raw['@odata.type'] !== '#microsoft.graph.user'))
          return null;
        return toDirectoryUser(raw);
      });
    };

    const listGroupMembers = async (groupId: string): Promise<DirectoryUser[] | null> => {
      const id = groupId.trim();
      if (!GUID.test(id)) return null;
      return cached(key('members', id.toLowerCase()), listTtl, async () => {
        const members = await orNull(() =>
          graph.all<Json>(graphPath`/groups/${id}/transitiveMembers/microsoft.graph.user`, {
            select: DIRECTORY_USER_SELECT,
            top: 999,
          }),
        );
        return members ? members.map(toDirectoryUser) : null;
      });
    };

    const findGroupsByName = async (names: {
      displayName: string;
      mailNickname: string;
    }): Promise<ExistingGroup[]> => {
      const clauses: string[] = [];
      const displayName = names.displayName.trim();
      const mailNickname = names.mailNickname.trim();
      if (displayName) clauses.push(`displayName eq ${odataString(displayName)}`);
      if (mailNickname) clauses.push(`mailNickname eq ${odataString(mailNickname)}`);
      if (clauses.length === 0) return [];
      const cacheKey = key('group-names', displayName.toLowerCase(), mailNickname.toLowerCase());
      // A name-availability answer goes stale fast: it is kept only as long as a negative answer.
      return cached(
        cacheKey,
        () => ttls.negativeMs,
        async () => {
          const groups = await graph.all<Json>('/groups', {
            filter: clauses.join(' or '),
            select: ['id', 'displayName', 'mailNickname'],
            top: 999,
          });
          return groups.map((g) => ({
            id: String(g['id']),
            displayName: str(g['displayName']) ?? '',
            mailNickname: str(g['mailNickname']) ?? '',
          }));
        },
      );
    };

    const searchUsers = async (query: string, top = 10): Promise<DirectoryUser[]> => {
      const text = query.trim().slice(0, MAX_SEARCH_LENGTH);
      if (!text) return [];
      const limit = Math.max(1, Math.min(MAX_SEARCH_TOP, Math.floor(top)));
      const literal = odataString(text);
      return cached(key('search', String(limit), text.toLowerCase()), listTtl, async () => {
        // startswith on these three works without advanced-query headers on Graph and the sandbox.
        const users = await graph.request<{ value?: Json[] }>('GET', '/users', {
          query: {
            filter: `startswith(displayName,${literal}) or startswith(mail,${literal}) or startswith(userPrincipalName,${literal})`,
            select: DIRECTORY_USER_SELECT,
            top: limit,
          },
        });
        return (users?.value ?? [])
          .map(toDirectoryUser)
          .sort((a, b) => a.displayName.localeCompare(b.displayName));
      });
    };

    const getPolicyUser = async (
      idOrUpn: string,
      roles: readonly string[] = [],
    ): Promise<PolicyUser | null> => {
      const user = await getUser(idOrUpn);
      if (!user) return null;
      const groups = await getUserGroups(user.id);
      return {
        id: user.id,
        displayName: user.displayName,
        mail: user.mail,
        department: user.department,
        country: user.country,
        jobTitle: user.jobTitle,
        officeLocation: user.officeLocation,
        userType: user.userType,
        groups: groups.map((g) => g.id),
        groupNames: groups.map((g) => g.displayName),
        roles: [...roles],
      };
    };

    const directory: TenantDirectory = {
      getUser,
      getUserGroups,
      getManager,
      listGroupMembers,
      findGroupsByName,
      searchUsers,
      getPolicyUser,
    };
    tenants.set(tenant, directory);
    return directory;
  };

  return { forTenant };
}
