// Types and queries of the "My requests and teams" tab, after the API's schemas
// (src/requests/routes/request-schemas.ts, src/provisioning/routes/*).
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

export type RequestStatus =
  | 'draft'
  | 'pending_approval'
  | 'approved'
  | 'provisioning'
  | 'completed'
  | 'completed_with_drift'
  | 'failed'
  | 'rejected'
  | 'cancelled'
  | 'expired';

export const REQUEST_STATUSES: readonly RequestStatus[] = [
  'draft',
  'pending_approval',
  'approved',
  'provisioning',
  'completed',
  'completed_with_drift',
  'failed',
  'rejected',
  'cancelled',
  'expired',
];

/** Statuses whose request may still move: the page follows them live. */
export const LIVE_STATUSES: ReadonlySet<RequestStatus> = new Set([
  'pending_approval',
  'approved',
  'provisioning',
]);

export interface Approver {
  id: string;
  userPrincipalName: string | null;
  displayName: string | null;
  via: 'user' | 'group' | 'manager' | 'rule';
}

export interface Stage {
  stage: number;
  name: string;
  status: 'waiting' | 'pending' | 'approved' | 'rejected' | 'cancelled' | 'expired';
  allowEdit: boolean;
  approvers: Approver[];
  openedAt: string | null;
  decidedAt: string | null;
  decidedBy: { type: string; id: string; name: string | null } | null;
  comment: string | null;
}

export interface TeamRequest {
  requestId: string;
  status: RequestStatus;
  template: { templateId: string; slug: string; version: number };
  requester: { id: string; name: string | null };
  name: string;
  description: string | null;
  welcomeMessage: string | null;
  metadata: Record<string, unknown>;
  owners: string[];
  members: string[];
  names: Record<string, string> | null;
  currentStage: number | null;
  stages: Stage[];
  revision: number;
  submittedAt: string | null;
  decidedAt: string | null;
  expiresAt: string | null;
  closedReason: string | null;
  teamId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Activity {
  activityId: string;
  at: string;
  kind: string;
  actor: { type: string; id: string; name: string | null };
  stage: number | null;
  body: string | null;
  diff: { changes: { field: string; before: unknown; after: unknown }[] } | null;
  fromStatus: string | null;
  toStatus: string | null;
}

export type RunStatus =
  'queued' | 'running' | 'waiting' | 'completed' | 'completed_with_drift' | 'failed' | 'cancelled';

export interface RunError {
  code: string;
  message: string;
  step: string | null;
}

export interface Run {
  runId: string;
  requestId: string;
  status: RunStatus;
  progress: number;
  currentStep: string | null;
  teamId: string | null;
  attempt: number;
  steps: { name: string; title: string; status: string; error: RunError | null }[];
  error: RunError | null;
  conformance: { matches: boolean; differences: unknown[] } | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface LogEntry {
  logId: string;
  at: string;
  level: 'info' | 'warn' | 'error';
  step: string | null;
  message: string;
}

/** `GET /requests/{id}/team`: the team as Microsoft 365 has it now. */
export interface RequestTeam {
  teamId: string;
  displayName: string | null;
  description: string | null;
  isArchived: boolean;
  exists: boolean;
  webUrl: string | null;
  generalChannel: { id: string; displayName: string; webUrl: string | null } | null;
  owners: number;
  members: number;
  minimumOwners: number;
}

export interface RequestFilter {
  requester: string;
  status: RequestStatus[];
  q: string;
}

function listPath(filter: RequestFilter, cursor: string | undefined): string {
  const search = new URLSearchParams();
  search.set('requester', filter.requester);
  for (const s of filter.status) search.append('status', s);
  if (filter.q.trim()) search.set('q', filter.q.trim());
  if (cursor) search.set('cursor', cursor);
  search.set('limit', '25');
  return `/requests?${search.toString()}`;
}

/** The user's requests, page after page. */
export function useMyRequests(filter: RequestFilter) {
  return useInfiniteQuery({
    queryKey: ['requests', 'mine', filter],
    queryFn: ({ pageParam }) => api<Page<TeamRequest>>('GET', listPath(filter, pageParam)),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export const requestKey = (id: string) => ['request', id] as const;

export function useRequest(id: string) {
  return useQuery({
    queryKey: requestKey(id),
    queryFn: () => api<TeamRequest>('GET', `/requests/${encodeURIComponent(id)}`),
  });
}

export function useActivity(id: string) {
  return useQuery({
    queryKey: [...requestKey(id), 'activity'],
    queryFn: () => api<Page<Activity>>('GET', `/requests/${encodeURIComponent(id)}/activity?limit=200`),
  });
}

export function useRun(id: string, enabled: boolean) {
  return useQuery({
    queryKey: [...requestKey(id), 'run'],
    queryFn: () => api<Run>('GET', `/requests/${encodeURIComponent(id)}/provisioning`),
    enabled,
  });
}

export function useRunLog(id: string, enabled: boolean) {
  return useQuery({
    queryKey: [...requestKey(id), 'log'],
    queryFn: () =>
      api<{ items: LogEntry[] }>('GET', `/requests/${encodeURIComponent(id)}/provisioning/log?limit=1000`),
    enabled,
  });
}

export function useRequestTeam(id: string, enabled: boolean) {
  return useQuery({
    queryKey: [...requestKey(id), 'team'],
    queryFn: () => api<RequestTeam>('GET', `/requests/${encodeURIComponent(id)}/team`),
    enabled,
    staleTime: 60_000,
  });
}

/** Provisioned requests the user made or owns the team of (the listing shows what they may see). */
export function useMyTeams(me: { id: string; upn: string | null }) {
  return useQuery({
    queryKey: ['requests', 'teams', me.id],
    queryFn: async () => {
      const page = await api<Page<TeamRequest>>(
        'GET',
        '/requests?status=completed&status=completed_with_drift&limit=100',
      );
      const ids = new Set([me.id.toLowerCase(), ...(me.upn ? [me.upn.toLowerCase()] : [])]);
      return page.items.filter(
        (r) => ids.has(r.requester.id.toLowerCase()) || r.owners.some((o) => ids.has(o.toLowerCase())),
      );
    },
  });
}
