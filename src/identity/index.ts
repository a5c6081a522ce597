export {
  type ActivityBinding,
  BOT_FRAMEWORK_ISSUER,
  BOT_FRAMEWORK_OPENID_METADATA_URL,
  type BotCaller,
  type BotTokenValidator,
  type BotTokenValidatorOptions,
  createBotTokenValidator,
} from './bot-token-validator.ts';
export {
  createEntraTokenValidator,
  type EntraIdentity,
  type EntraTokenValidator,
  type EntraTokenValidatorOptions,
} from './entra-token-validator.ts';
export { createMsalNetworkClient, type MsalNetworkClient } from './msal-network-client.ts';
export { createKeySource, type KeySource, type KeySourceOptions } from './jwks.ts';
export type { TokenRule } from './token-errors.ts';
export {
  API_TOKEN_PREFIX,
  apiTokenHint,
  generateApiToken,
  hashApiToken,
  isWellFormedApiToken,
} from './api-token-format.ts';
export {
  API_TOKEN_SCOPES,
  type ApiTokenCaller,
  type ApiTokenInfo,
  type ApiTokenScope,
  type ApiTokenService,
  type CreatedApiToken,
  createApiTokenService,
  DEFAULT_TOKEN_DAYS,
  MAX_TOKEN_DAYS,
} from './api-tokens.ts';
export { CONSENT_STATE_TTL_MS, type ConsentStates, createConsentStates } from './consent-state.ts';
export { ENTRA_APP_ROLES, rolesFromAppRoles } from './entra-app-roles.ts';
export {
  createIdentityService,
  type IdentityService,
  ONBOARDING_CALLBACK_PATH,
  type SignedInUser,
} from './identity-service.ts';
export {
  createRoleAssignmentStore,
  type GroupRoleMapping,
  type ListPosition,
  type RoleAssignment,
  type RoleAssignmentStore,
} from './role-assignments.ts';
export { findByEntraTenant, type OnboardedTenant, onboardTenant } from './tenant-onboarding.ts';
export { alternativeSlug, tenantSlugFor } from './tenant-slug.ts';
export { createUserRecorder } from './user-records.ts';
