export type { Directory, DirectoryGroupRef, DirectoryUser, TenantDirectory } from './directory-types.ts';
export {
  createDirectory,
  DEFAULT_DIRECTORY_TTLS,
  DIRECTORY_USER_SELECT,
  type DirectoryTtls,
  isUserKey,
  toDirectoryUser,
} from './directory.ts';
export {
  createGraphClient,
  type GraphClient,
  type GraphClientOptions,
  type GraphMethod,
  type GraphRequestOptions,
  type GraphResponse,
  type TenantGraph,
} from './graph-client.ts';
export { GraphError, type GraphErrorInit, isGraphError } from './graph-error.ts';
export {
  EVENTUAL_CONSISTENCY,
  type GraphQuery,
  graphPath,
  odataString,
  searchPhrase,
  toQueryString,
} from './graph-query.ts';
export { DEFAULT_RETRY_POLICY, type GraphRetryPolicy } from './graph-retry.ts';
export type { GraphTokenProvider } from './graph-token-provider.ts';
export type { LimiterStats } from './adaptive-limiter.ts';
export {
  createTenantThrottleState,
  type TenantThrottle,
  type TenantThrottleState,
  type ThrottleView,
} from './tenant-throttle-state.ts';
export { createCacheThrottleState } from './tenant-throttle-state-cache.ts';
export { createPostgresThrottleState } from './tenant-throttle-state-postgres.ts';
export {
  CONSENT_PATH,
  delegatedFailure,
  JOINED_TEAMS_SCOPES,
  type JoinedTeam,
  listJoinedTeams,
  type SignedInUser,
} from './on-behalf-of.ts';
export { directoryRoutes } from './routes/directory-routes.ts';
