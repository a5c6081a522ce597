// Queries and decisions of the Approvals tab (src/requests/routes/approval-routes.ts).
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Page, TeamRequest } from '../requests/api.ts';

export type { Page, TeamRequest };

/** What an approver may change in the same step as approving (the API's EditsSchema). */
export interface RequestEdits {
  name?: string;
  description?: string | null;
  welcomeMessage?: string | null;
  metadata?: Record<string, unknown>;
  owners?: string[];
  members?: string[];
}

export const approvalsKey = ['approvals'] as const;

/** Requests whose open stage names the user. */
export function useApprovalQueue() {
  return useInfiniteQuery({
    queryKey: approvalsKey,
    queryFn: ({ pageParam }) =>
      api<Page<TeamRequest>>(
        'GET',
        `/approvals?limit=50${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useApprovalRequest(id: string) {
  return useQuery({
    queryKey: ['request', id],
    queryFn: () => api<TeamRequest>('GET', `/requests/${encodeURIComponent(id)}`),
  });
}

/**
 * Approves the open stage of the revision the approver saw (a change made meanwhile is refused
 * with 409), with edits when the stage allows them.
 */
export function approve(request: TeamRequest, input: { comment?: string; edits?: RequestEdits }) {
  return api<TeamRequest>('POST', `/requests/${request.requestId}/approve`, {
    body: {
      ...(input.comment ? { comment: input.comment } : {}),
      ...(input.edits ? { edits: input.edits } : {}),
      ...(request.currentStage !== null ? { stage: request.currentStage } : {}),
      revision: request.revision,
    },
  });
}

/** Rejects the open stage of the revision the approver saw; the comment is the reason. */
export function reject(request: TeamRequest, comment: string) {
  return api<TeamRequest>('POST', `/requests/${request.requestId}/reject`, {
    body: {
      comment,
      ...(request.currentStage !== null ? { stage: request.currentStage } : {}),
      revision: request.revision,
    },
  });
}
