import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import type { VerifiedCaller } from '../../entra/access-tokens.ts';
import type { DirectoryUser, TenantState } from '../../state/types.ts';
import { callerOf, resolveConversation } from '../connector.ts';
import { connectorErrors } from '../errors.ts';
import { findUserByMemberId } from '../ids.ts';
import { channelAccount, conversationMembers } from '../roster.ts';

/** Teams pages rosters by 200 by default; it treats pageSize below 50 as 50 and caps it at 500. */
const DEFAULT_PAGE_SIZE = 200;
const MIN_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

const idParams = {
  type: 'object',
  required: ['conversationId'],
  properties: {
    conversationId: { type: 'string' },
    memberId: { type: 'string' },
    activityId: { type: 'string' },
  },
} as const;

/**
 * Roster calls: `GET /v3/conversations/{id}/members`, `/pagedmembers` (the Teams SDK spells it
 * `pagedMembers`), `/members/{mri or object id}` and `/activities/{activityId}/members`.
 */
export function memberRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const members = (
    caller: VerifiedCaller,
    conversationId: string,
  ): { tenant: TenantState; users: DirectoryUser[] } => {
    const handle = resolveConversation(ctx, caller, conversationId);
    const conversation = handle.conversation ?? {
      conversationType: 'channel' as const,
      userId: null,
      teamId: handle.channel?.teamId ?? null,
    };
    return { tenant: handle.tenant, users: conversationMembers(handle.tenant, conversation) };
  };

  app.get<{ Params: { conversationId: string } }>(
    '/v3/conversations/:conversationId/members',
    { schema: { params: idParams } },
    async (request) => {
      const { tenant, users } = members(callerOf(request), request.params.conversationId);
      return users.map((u) => channelAccount(tenant, u));
    },
  );

  app.get<{ Params: { conversationId: string; activityId: string } }>(
    '/v3/conversations/:conversationId/activities/:activityId/members',
    { schema: { params: idParams } },
    async (request) => {
      const { tenant, users } = members(callerOf(request), request.params.conversationId);
      return users.map((u) => channelAccount(tenant, u));
    },
  );

  const paged = {
    schema: {
      params: idParams,
      querystring: {
        type: 'object',
        properties: { pageSize: { type: 'integer', minimum: 1 }, continuationToken: { type: 'string' } },
      },
    },
  };
  for (const path of ['pagedmembers', 'pagedMembers']) {
    app.get<{
      Params: { conversationId: string };
      Querystring: { pageSize?: number; continuationToken?: string };
    }>(`/v3/conversations/:conversationId/${path}`, paged, async (request) => {
      const { tenant, users } = members(callerOf(request), request.params.conversationId);
      const { pageSize, continuationToken } = request.query;
      const size = Math.min(MAX_PAGE_SIZE, Math.max(MIN_PAGE_SIZE, pageSize ?? DEFAULT_PAGE_SIZE));
      const start = continuationToken ? decodeToken(continuationToken) : 0;
      const page = users.slice(start, start + size).map((u) => channelAccount(tenant, u));
      const next = start + size < users.length ? encodeToken(start + size) : undefined;
      return next ? { continuationToken: next, members: page } : { members: page };
    });
  }

  app.get<{ Params: { conversationId: string; memberId: string } }>(
    '/v3/conversations/:conversationId/members/:memberId',
    { schema: { params: idParams } },
    async (request) => {
      const { tenant, users } = members(callerOf(request), request.params.conversationId);
      const user = findUserByMemberId(tenant, request.params.memberId);
      if (!user || !users.some((u) => u.id === user.id)) throw connectorErrors.memberNotFound();
      return channelAccount(tenant, user);
    },
  );
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeToken(token: string): number {
  try {
    const offset = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown }).o;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // Falls through to the error below.
  }
  throw connectorErrors.badArgument('Invalid continuationToken.');
}
