import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, qs } from '../../../api/client.ts';

/** `GET /webhooks` item. */
export interface Webhook {
  webhookId: string;
  url: string;
  description: string | null;
  events: string[];
  active: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  previousSecretExpiresAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Creation and rotation answer with the signing secret, this once. */
export interface WebhookWithSecret extends Webhook {
  secret: string;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed';

/** One delivery of the log (`GET /webhooks/{id}/deliveries`). */
export interface Delivery {
  deliveryId: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastResponseMs: number | null;
  attempts: {
    attempt: number;
    at: string;
    manual: boolean;
    statusCode: number | null;
    error: string | null;
    responseMs: number;
  }[];
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface WebhookInput {
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
}

const KEY = ['admin', 'webhooks'];

export function useWebhooks() {
  return useQuery({
    queryKey: KEY,
    queryFn: () =>
      api<{ items: Webhook[]; nextCursor: string | null }>('GET', `/webhooks${qs({ limit: 200 })}`),
  });
}

export function useWebhook(webhookId: string) {
  return useQuery({
    queryKey: [...KEY, webhookId],
    queryFn: () => api<Webhook>('GET', `/webhooks/${encodeURIComponent(webhookId)}`),
  });
}

export function useDeliveries(webhookId: string, status: DeliveryStatus | '', cursor: string | undefined) {
  return useQuery({
    queryKey: [...KEY, webhookId, 'deliveries', status, cursor ?? ''],
    queryFn: () =>
      api<{ items: Delivery[]; nextCursor: string | null }>(
        'GET',
        `/webhooks/${encodeURIComponent(webhookId)}/deliveries${qs({ status, cursor, limit: 25 })}`,
      ),
    // Pending and retrying deliveries change on their own: follow them while any is open.
    refetchInterval: (query) =>
      query.state.data?.items.some((d) => d.status === 'pending' || d.status === 'retrying') ? 3000 : false,
  });
}

/** The event types a subscription may name, read from the API's own document (the enum of createWebhook). */
export function useEventTypes() {
  return useQuery({
    queryKey: ['openapi', 'webhook-events'],
    staleTime: Infinity,
    queryFn: async () => {
      const doc = await api<unknown>('GET', '/openapi.json');
      const found = new Set<string>();
      const walk = (node: unknown) => {
        if (!node || typeof node !== 'object') return;
        const enumValues = (node as { enum?: unknown }).enum;
        if (Array.isArray(enumValues) && enumValues.includes('*')) {
          for (const v of enumValues) if (typeof v === 'string') found.add(v);
        }
        for (const child of Object.values(node)) walk(child);
      };
      const paths = (doc as { paths?: Record<string, { post?: unknown }> }).paths ?? {};
      // The document's paths are relative to its server URL (…/api/v1) or absolute, depending on the build.
      const key = Object.keys(paths).find((p) => p === '/webhooks' || p.endsWith('/api/v1/webhooks'));
      walk(key ? paths[key]?.post : undefined);
      return [...found].sort((a, b) => (a === '*' ? -1 : b === '*' ? 1 : a.localeCompare(b)));
    },
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: KEY });
}

export function useSaveWebhook(webhookId: string | undefined) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: WebhookInput) =>
      webhookId
        ? api<Webhook>('PATCH', `/webhooks/${encodeURIComponent(webhookId)}`, { body })
        : api<WebhookWithSecret>('POST', '/webhooks', { body }),
    onSuccess: invalidate,
  });
}

export function useWebhookAction() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (action: {
      kind: 'delete' | 'ping' | 'rotate' | 'redeliver';
      webhookId: string;
      deliveryId?: string;
    }): Promise<WebhookWithSecret | Delivery | undefined> => {
      const base = `/webhooks/${encodeURIComponent(action.webhookId)}`;
      if (action.kind === 'delete') return api<undefined>('DELETE', base);
      if (action.kind === 'ping') return api<Delivery>('POST', `${base}/ping`);
      if (action.kind === 'rotate') return api<WebhookWithSecret>('POST', `${base}/rotate-secret`);
      return api<Delivery>(
        'POST',
        `${base}/deliveries/${encodeURIComponent(action.deliveryId ?? '')}/redeliver`,
      );
    },
    onSuccess: invalidate,
  });
}
