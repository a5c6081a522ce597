// The API shapes the catalog tab reads (src/templates/routes/*, src/requests/routes/*,
// src/graph/routes/directory-routes.ts) and the queries over them.
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, apiResponse, qs } from '../../api/client.ts';

/** `{ items, nextCursor }` of every listing. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type FieldType = 'text' | 'number' | 'date' | 'choice' | 'multi_choice' | 'person' | 'boolean';

/** A metadata field a request for the template collects. */
export interface FieldDefinition {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  helpText?: string;
  validation?: {
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    min?: number;
    max?: number;
    minDate?: string;
    maxDate?: string;
    minItems?: number;
    maxItems?: number;
  };
  choices?: { value: string; label: string }[];
}

/** `GET /catalog` item. */
export interface CatalogEntry {
  templateId: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  language: string;
  tags: string[];
  version: number;
  /** API path of the icon (`/api/v1/templates/…/assets/…`). */
  icon: string | null;
  screenshots: string[];
  approvalStages: number;
  metadataFields: FieldDefinition[];
  updatedAt: string;
}

export interface TemplateTab {
  displayName: string;
  teamsAppId: string;
  plan?: string;
}

export interface ChannelContent {
  tabs: TemplateTab[];
  folders: string[];
  files: { path: string; asset: string }[];
  welcomePost?: { subject?: string; content: string };
}

export interface TemplateChannel extends ChannelContent {
  displayName: string;
  description?: string;
  membershipType: 'standard' | 'private' | 'shared';
  isFavoriteByDefault: boolean;
}

export interface TemplatePlan {
  title: string;
  buckets: { name: string }[];
  labels: { category: string; name: string }[];
  tasks: { title: string; bucket: string; dueInDays?: number; checklist: { title: string }[] }[];
}

type Flags = Record<string, boolean | string | undefined>;

/** The parts of a template document (schemaVersion 1) the template page shows. */
export interface TemplateDocument {
  team: {
    visibility: 'private' | 'public';
    memberSettings?: Flags;
    guestSettings?: Flags;
    messagingSettings?: Flags;
    funSettings?: Flags;
    discoverySettings?: Flags;
  };
  generalChannel: ChannelContent;
  channels: TemplateChannel[];
  apps: { teamsAppId: string; displayName?: string }[];
  planner: { plans: TemplatePlan[] };
  permanentOwners: { type: 'user' | 'group'; user?: string; groupId?: string }[];
  permanentMembers: { type: 'user' | 'group'; user?: string; groupId?: string }[];
  minimumOwners: number;
  addRequesterAsOwner: boolean;
  guests: { allowed: boolean; allowedDomains: string[] };
  approval: { stages: { name: string }[] };
}

/** `GET /catalog/{slug}`. */
export interface CatalogTemplate extends CatalogEntry {
  document: TemplateDocument;
}

/** A person of the directory (`GET /directory/users`). */
export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  jobTitle: string | null;
  department: string | null;
}

export interface Approver {
  id: string;
  userPrincipalName: string | null;
  displayName: string | null;
}

/** `POST /requests/validate`: what the request would become, without saving it. */
export interface RequestPreview {
  valid: boolean;
  names: { displayName: string; mailNickname: string; description?: string; welcomeMessage?: string } | null;
  violations: { field: string; code: string; message: string }[];
  conflicts: { field: string; group: { displayName: string; mailNickname: string } }[];
  proposedMailNickname: string | null;
  metadataErrors: Record<string, string> | null;
  approval: { stage: number; name: string; approvers: Approver[]; error: string | null }[];
}

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

/** `POST /requests` answer (the fields the confirmation shows). */
export interface RequestView {
  requestId: string;
  status: RequestStatus;
  name: string;
  names: Record<string, string> | null;
}

/** The body of `POST /requests` and `POST /requests/validate`. */
export interface RequestBody {
  template: string;
  templateVersion?: number;
  name: string;
  description?: string | null;
  welcomeMessage?: string | null;
  metadata: Record<string, unknown>;
  owners: string[];
  members: string[];
}

export interface CatalogFilter {
  q?: string;
  category?: string;
  tag?: string;
}

/** The catalog, filtered on the server, page by page. */
export function useCatalog(filter: CatalogFilter) {
  return useInfiniteQuery({
    queryKey: ['catalog', 'list', filter],
    queryFn: ({ pageParam, signal }) =>
      api<Page<CatalogEntry>>('GET', `/catalog${qs({ ...filter, cursor: pageParam, limit: 24 })}`, {
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** Every entry the user may request, for the filters' choices (categories and tags). */
export function useCatalogFacets() {
  return useQuery({
    queryKey: ['catalog', 'facets'],
    queryFn: ({ signal }) => api<Page<CatalogEntry>>('GET', `/catalog${qs({ limit: 200 })}`, { signal }),
    select: (page) => ({
      categories: [...new Set(page.items.map((e) => e.category))].sort((a, b) => a.localeCompare(b)),
      tags: [...new Set(page.items.flatMap((e) => e.tags))].sort((a, b) => a.localeCompare(b)),
    }),
    staleTime: 60_000,
  });
}

/** One template with its document. */
export function useCatalogTemplate(slug: string) {
  return useQuery({
    queryKey: ['catalog', 'entry', slug],
    queryFn: ({ signal }) => api<CatalogTemplate>('GET', `/catalog/${encodeURIComponent(slug)}`, { signal }),
    staleTime: 60_000,
  });
}

/**
 * A template asset as an object URL: assets need the bearer token, so an `<img src>` pointing at
 * the API cannot load them directly.
 */
export function useAssetUrl(path: string | null) {
  return useQuery({
    queryKey: ['catalog', 'asset', path],
    queryFn: async ({ signal }) => {
      const res = await apiResponse('GET', (path ?? '').replace(/^\/api\/v1/, ''), { signal });
      return URL.createObjectURL(await res.blob());
    },
    enabled: path !== null,
    staleTime: Infinity,
    gcTime: Infinity,
    retry: false,
  });
}

/** Checks a request without saving it (names, conflicts, metadata errors, approvers). */
export function validateRequest(body: RequestBody, signal?: AbortSignal): Promise<RequestPreview> {
  return api<RequestPreview>('POST', '/requests/validate', { body, signal });
}

/** Submits the request; the key makes a double submission one request. */
export function createRequest(body: RequestBody, idempotencyKey: string): Promise<RequestView> {
  return api<RequestView>('POST', '/requests', {
    body,
    headers: { 'idempotency-key': idempotencyKey },
  });
}
