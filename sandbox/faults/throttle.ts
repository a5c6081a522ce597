/**
 * Throttling modelled on Microsoft Graph's service-specific limits (learn.microsoft.com/graph/throttling-limits):
 * Teams limits per app per tenant by request type plus "4 requests per second per app on a given team",
 * identity resource units per app and tenant (by tenant size) with the write quota, and the usage-reports
 * limit per report. Each limit is a token bucket; `factor` scales rates and capacities.
 */

export interface ThrottleRequest {
  method: string;
  /** The matched route pattern (`/v1.0/teams/:teamId/channels`). */
  route: string;
  params: Readonly<Record<string, string>>;
  tenantId: string;
  appId: string;
  /** Users in the tenant: identity limits depend on tenant size. */
  tenantUsers: number;
}

export interface Limit {
  /** Bucket identity (tenant, app, limit, resource). */
  key: string;
  /** The documented limit this bucket models, e.g. `teams: POST /teams`. */
  name: string;
  /** Requests (or resource units) the bucket holds at most. */
  capacity: number;
  perSecond: number;
  cost: number;
}

const rps = (key: string, name: string, perSecond: number, cost = 1): Limit => ({
  key,
  name,
  capacity: perSecond,
  perSecond,
  cost,
});
const window = (key: string, name: string, requests: number, seconds: number, cost = 1): Limit => ({
  key,
  name,
  capacity: requests,
  perSecond: requests / seconds,
  cost,
});

function teamsLimits(req: ThrottleRequest, prefix: string): Limit[] {
  const { method, route } = req;
  const rest = route.replace(/^\/v1\.0/, '');
  let limit: Limit;
  if (method === 'POST' && rest === '/teams') limit = rps(`${prefix}|teams.create`, 'teams: POST /teams', 10);
  else if (method === 'PUT' && rest === '/groups/:groupId/team')
    limit = rps(`${prefix}|teams.teamify`, 'teams: PUT /groups/{id}/team', 6);
  else if (method === 'GET' && rest === '/teams/:teamId')
    limit = rps(`${prefix}|teams.get`, 'teams: GET /teams/{team-id}', 30);
  else if (
    method === 'GET' &&
    (rest === '/teams/:teamId/members' ||
      rest === '/teams/:teamId/channels' ||
      rest === '/teams/:teamId/channels/:channelId/members')
  )
    limit = rps(`${prefix}|teams.lists`, 'teams: GET members, channels, channel members', 60);
  else if (method === 'GET')
    limit = rps(`${prefix}|teams.read`, 'teams: GET team, channel, tab, installedApps, appCatalogs', 30);
  else if (method === 'DELETE')
    limit = rps(`${prefix}|teams.delete`, 'teams: DELETE channel, tab, installedApps', 15);
  else if (method === 'PATCH')
    limit = rps(`${prefix}|teams.patch`, 'teams: PATCH team, channel, tab, installedApps', 30);
  else limit = rps(`${prefix}|teams.write`, 'teams: POST/PUT channel, tab, installedApps', 30);
  const limits = [limit];
  const teamId =
    req.params.teamId ?? (rest.startsWith('/groups/:groupId/team') ? req.params.groupId : undefined);
  if (teamId)
    limits.push(
      rps(`${prefix}|team|${teamId.toLowerCase()}`, 'teams: 4 requests per second per app on a team', 4),
    );
  return limits;
}

function identityLimits(req: ThrottleRequest, prefix: string): Limit[] {
  const rest = req.route.replace(/^\/v1\.0/, '');
  // Resource units per 10 s by tenant size: S under 50 users, M up to 500, L above.
  const units = req.tenantUsers < 50 ? 3500 : req.tenantUsers <= 500 ? 5000 : 8000;
  let cost = 1;
  if (req.method === 'GET') {
    if (rest === '/users') cost = 2;
    else if (rest === '/groups/:groupId/members') cost = 3;
    else if (rest.endsWith('/memberOf')) cost = 2;
  }
  const limits = [
    window(`${prefix}|identity.units`, 'identity: resource units per app and tenant', units, 10, cost),
  ];
  if (req.method !== 'GET')
    limits.push(window(`${prefix}|identity.writes`, 'identity: write quota per app and tenant', 3000, 150));
  return limits;
}

/**
 * The limits a request counts against (none for drive and Planner, whose limits Graph does not publish),
 * plus, with `tenantPerSecond`, one budget over every request of the app in the tenant (benchmarks).
 */
export function limitsFor(req: ThrottleRequest, tenantPerSecond = 0): Limit[] {
  const own = serviceLimitsFor(req);
  return tenantPerSecond > 0
    ? [
        ...own,
        rps(
          `${req.tenantId}|${req.appId}|budget`,
          'budget: requests per second per app and tenant',
          tenantPerSecond,
        ),
      ]
    : own;
}

function serviceLimitsFor(req: ThrottleRequest): Limit[] {
  const prefix = `${req.tenantId}|${req.appId}`;
  const rest = req.route.replace(/^\/v1\.0/, '');
  if (
    rest.startsWith('/teams') ||
    rest.startsWith('/appCatalogs') ||
    rest.startsWith('/groups/:groupId/team')
  ) {
    return teamsLimits(req, prefix);
  }
  if (rest.startsWith('/reports/')) {
    const report = (req.params.report ?? '').split('(')[0] ?? '';
    return [window(`${prefix}|reports|${report}`, `reports: ${report} (14 per 10 minutes)`, 14, 600)];
  }
  if (
    rest.startsWith('/users') ||
    rest.startsWith('/me') ||
    rest.startsWith('/directoryObjects') ||
    (rest.startsWith('/groups') && !rest.includes('/drive') && !rest.includes('/planner'))
  ) {
    return identityLimits(req, prefix);
  }
  return [];
}

interface BucketState {
  tokens: number;
  updatedAt: number;
  /** A throttled caller that retries before Retry-After elapsed is throttled again. */
  blockedUntil: number;
}

/** Token buckets for every limit in use. */
export class Buckets {
  readonly #state = new Map<string, BucketState>();

  /** Takes one request from every bucket, or none: the Retry-After (seconds) and limit when one is empty. */
  take(
    limits: readonly Limit[],
    factor: number,
    now: number,
  ): { retryAfterSeconds: number; limit: Limit } | null {
    let worst: { retryAfterSeconds: number; limit: Limit } | null = null;
    const states = limits.map((limit) => {
      const capacity = Math.max(1, limit.capacity * factor);
      const perSecond = limit.perSecond * factor;
      let state = this.#state.get(limit.key);
      if (!state) {
        state = { tokens: capacity, updatedAt: now, blockedUntil: 0 };
        this.#state.set(limit.key, state);
      }
      state.tokens = Math.min(capacity, state.tokens + ((now - state.updatedAt) / 1000) * perSecond);
      state.updatedAt = now;
      const cost = Math.min(limit.cost, capacity);
      let wait = 0;
      if (now < state.blockedUntil) wait = (state.blockedUntil - now) / 1000;
      else if (state.tokens < cost) wait = (cost - state.tokens) / perSecond;
      if (wait > 0) {
        const retryAfterSeconds = Math.max(1, Math.ceil(wait));
        if (!worst || retryAfterSeconds > worst.retryAfterSeconds) worst = { retryAfterSeconds, limit };
      }
      return { state, cost };
    });
    if (worst) {
      const blocked = worst as { retryAfterSeconds: number; limit: Limit };
      const state = this.#state.get(blocked.limit.key);
      if (state) state.blockedUntil = Math.max(state.blockedUntil, now + blocked.retryAfterSeconds * 1000);
      return blocked;
    }
    for (const { state, cost } of states) state.tokens -= cost;
    return null;
  }

  clear(): void {
    this.#state.clear();
  }
}
