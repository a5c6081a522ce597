import type { FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import type { VerifiedCaller } from '../../entra/access-tokens.ts';
import type { TenantState } from '../../state/types.ts';
import type { GraphState } from '../state.ts';

/** Permissions that grant a route: any one application role, or any one delegated scope. */
export interface RoutePermissions {
  application: readonly string[];
  delegated: readonly string[];
}

/** Everything a Graph route handler works with: the caller's tenant and its Graph state. */
export interface GraphCall {
  ctx: SandboxContext;
  request: FastifyRequest;
  reply: FastifyReply;
  caller: VerifiedCaller;
  tenant: TenantState;
  graph: GraphState;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  now: Date;
  /** `{origin}/v1.0`: where absolute links (nextLink, @odata.context) point. */
  base: string;
}

/** One Graph operation: its paths (Graph often documents several), permissions and handler. */
export interface GraphRoute {
  method: HTTPMethods | HTTPMethods[];
  url: string | readonly string[];
  permissions: RoutePermissions;
  /** Returns the JSON body (status 200 unless the handler set another), or undefined for none. */
  handler(call: GraphCall): unknown;
}
