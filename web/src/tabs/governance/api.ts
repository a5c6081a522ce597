import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, apiResponse, qs } from '../../api/client.ts';

/** One request of the dashboard's pending and failed lists. */
export interface SummaryRequest {
  requestId: string;
  name: string;
  templateSlug: string;
  requester: string | null;
  at: string | null;
  /** The stage waited on, or the failure message. */
  detail: string | null;
}

/** A team with drift, or fewer owners than its template asks. */
export interface AttentionItem {
  requestId: string;
  teamId: string | null;
  name: string;
  templateSlug: string;
  drift: boolean;
  differences: number;
  owners: number;
  minimumOwners: number;
}

/** `GET /governance/summary`. */
export interface GovernanceSummary {
  generatedAt: string;
  totals: {
    teams: number;
    requests: number;
    pending: number;
    failed: number;
    provisioning: number;
    drift: number;
    tooFewOwners: number;
  };
  requestsByStatus: { status: string; count: number }[];
  teamsByTemplate: { templateId: string; slug: string; name: string; count: number }[];
  teamsByField: { field: string; label: string | null; items: { value: string | null; count: number }[] };
  teamsByMonth: { month: string; count: number }[];
  provisioningDurations: {
    runs: number;
    averageSeconds: number | null;
    medianSeconds: number | null;
    p90Seconds: number | null;
    maxSeconds: number | null;
    buckets: { upToSeconds: number | null; count: number }[];
  };
  pendingRequests: SummaryRequest[];
  failedRequests: SummaryRequest[];
  attention: AttentionItem[];
}

/** A tenant metadata field (`GET /metadata-fields`), offered as the "by department" grouping. */
export interface MetadataField {
  key: string;
  label: string;
  type: string;
  status?: string;
}

export function useSummary(field: string, enabled: boolean) {
  return useQuery({
    queryKey: ['governance', 'summary', field],
    enabled,
    queryFn: () => api<GovernanceSummary>('GET', `/governance/summary${qs({ field })}`),
    placeholderData: keepPreviousData,
  });
}

export function useMetadataFields() {
  return useQuery({
    queryKey: ['metadata-fields'],
    queryFn: () => api<{ items: MetadataField[] }>('GET', '/metadata-fields'),
    select: (data) => data.items,
    staleTime: 60_000,
  });
}

/** One audit event (`GET /audit`). */
export interface AuditEvent {
  eventId: string;
  occurredAt: string;
  actor: { type: 'user' | 'api_token' | 'system'; id: string; name: string | null };
  action: string;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  source: { ip: string | null; userAgent: string | null; requestId: string | null };
}

/** The audit viewer's filters, as the API names them. */
export interface AuditFilter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** ISO date-times. */
  from?: string;
  to?: string;
}

export const AUDIT_PAGE_SIZE = 25;

export function useAuditPage(filter: AuditFilter, cursor: string | undefined) {
  return useQuery({
    queryKey: ['audit', filter, cursor ?? ''],
    queryFn: () =>
      api<{ items: AuditEvent[]; nextCursor: string | null }>(
        'GET',
        `/audit${qs({ ...filter, cursor, limit: AUDIT_PAGE_SIZE })}`,
      ),
    placeholderData: keepPreviousData,
  });
}

/** Downloads the filtered trail through the API (bearer token), saved under the server's file name. */
export async function downloadAudit(filter: AuditFilter, format: 'csv' | 'json'): Promise<void> {
  const res = await apiResponse('GET', `/audit/export${qs({ ...filter, format })}`);
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `trellis-audit.${format}`;
  saveBlob(await res.blob(), name);
}

/** Hands a blob to the browser as a download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
