import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, qs } from '../../../api/client.ts';

/** `GET /tokens` item: the hint only, never the token. */
export interface ApiToken {
  tokenId: string;
  name: string;
  hint: string;
  scopes: string[];
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}

/** `POST /tokens`: the one response that carries the token. */
export interface CreatedApiToken extends ApiToken {
  token: string;
}

export const MAX_TOKEN_DAYS = 366;
export const DEFAULT_TOKEN_DAYS = 90;
const KEY = ['admin', 'tokens'];

export function useTokens() {
  return useQuery({
    queryKey: KEY,
    queryFn: () =>
      api<{ items: ApiToken[]; nextCursor: string | null }>('GET', `/tokens${qs({ limit: 200 })}`),
  });
}

export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; scopes: string[]; expiresInDays: number }) =>
      api<CreatedApiToken>('POST', '/tokens', { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: KEY }),
  });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (tokenId: string) => api<ApiToken>('DELETE', `/tokens/${encodeURIComponent(tokenId)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: KEY }),
  });
}
