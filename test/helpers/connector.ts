import assert from 'node:assert/strict';
import { issueAccessToken } from '../../sandbox/entra/access-tokens.ts';
import { TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { DirectoryUser, TenantState } from '../../sandbox/state/types.ts';
import type { TestSandbox } from './sandbox.ts';

/**
 * Opens a 1:1 with `user` through the Connector, as Trellis's bot would, with an Adaptive Card as
 * the first activity; returns the conversation and activity ids.
 */
export async function sendCardToUser(
  sandbox: TestSandbox,
  tenant: TenantState,
  user: DirectoryUser,
  card: Record<string, unknown>,
): Promise<{ id: string; activityId: string }> {
  const { token } = await issueAccessToken(sandbox.sandbox.ctx, {
    tenant,
    clientId: TRELLIS_CLIENT_ID,
    audience: 'https://api.botframework.com',
    roles: [],
  });
  const response = await sandbox.fetch('/v3/conversations', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      members: [{ id: user.id }],
      tenantId: tenant.id,
      activity: {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: { type: 'AdaptiveCard', version: '1.5', ...card },
          },
        ],
      },
    }),
  });
  assert.equal(response.status, 201);
  return (await response.json()) as { id: string; activityId: string };
}
