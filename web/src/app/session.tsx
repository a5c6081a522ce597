import { useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import { api } from '../api/client.ts';
import type { Host } from './host.ts';

export type Role =
  'requester' | 'approver' | 'catalog_manager' | 'governance_admin' | 'integration_manager' | 'tenant_admin';

/** `GET /api/v1/me`. */
export interface Me {
  tenant: { tenantId: string; slug: string; displayName: string };
  principal: {
    kind: 'user' | 'api_token';
    id: string;
    displayName: string | null;
    userPrincipalName: string | null;
    entraTenantId: string | null;
  };
  roles: Role[];
  scopes: string[];
}

export interface Session {
  host: Host;
  me: Me;
  has(scope: string): boolean;
  hasRole(...roles: Role[]): boolean;
}

const SessionContext = createContext<Session | undefined>(undefined);

/** The signed-in user and the host, for every component below the shell. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the signed-in shell');
  return session;
}

export function SessionProvider(props: { host: Host; me: Me; children: ReactNode }) {
  const scopes = new Set(props.me.scopes);
  const roles = new Set(props.me.roles);
  const value: Session = {
    host: props.host,
    me: props.me,
    has: (scope) => scopes.has(scope),
    hasRole: (...wanted) => wanted.some((r) => roles.has(r)),
  };
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}

export function useMe(enabled: boolean) {
  return useQuery({ queryKey: ['me'], queryFn: () => api<Me>('GET', '/me'), enabled, staleTime: 60_000 });
}
