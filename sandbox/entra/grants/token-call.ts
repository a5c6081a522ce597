import type { SandboxContext } from '../../context.ts';
import type { DirectoryUser, TenantState } from '../../state/types.ts';
import type { ClientCredentials } from '../clients.ts';
import { aadsts } from '../errors.ts';
import type { TenantSegment } from '../tenants.ts';
import type { TokenResponse } from '../token-response.ts';

/** One token request: the `{tenant}` it was sent to, its form parameters and client credentials. */
export interface TokenCall {
  ctx: SandboxContext;
  segment: TenantSegment;
  params: Readonly<Record<string, string | undefined>>;
  credentials: ClientCredentials;
}

/** A grant type's handler. */
export type GrantHandler = (call: TokenCall) => Promise<TokenResponse>;

/** @throws EntraError AADSTS900144 when the parameter is missing or empty. */
export function requireParam(call: TokenCall, name: string): string {
  const value = call.params[name];
  if (!value) throw aadsts.missingParameter(name);
  return value;
}

/** The user a grant is for, still present and enabled. @throws EntraError AADSTS50057 */
export function activeUser(tenant: TenantState, userId: string): DirectoryUser {
  const user = tenant.directory.users.find((u) => u.id === userId);
  if (!user || !user.accountEnabled) throw aadsts.userDisabled();
  return user;
}

/** Whether MSAL (or another client) asked for `client_info`. */
export function wantsClientInfo(call: TokenCall): boolean {
  return call.params.client_info === '1';
}
