import { lazy } from 'react';
import type { MessageKey } from '../i18n/en.ts';
import type { Session } from './session.tsx';

export type TabId = 'catalog' | 'requests' | 'approvals' | 'governance' | 'admin';

export interface TabDef {
  id: TabId;
  label: MessageKey;
  /** Who sees the tab in the navigation (the API still checks every call). */
  visible(session: Session): boolean;
  /** The role to ask for when the tab is opened without access. */
  role: string;
  Component: React.LazyExoticComponent<() => React.JSX.Element>;
}

// Each tab is its own chunk: opening the catalog loads only the catalog.
export const TABS: readonly TabDef[] = [
  {
    id: 'catalog',
    label: 'nav.catalog',
    visible: () => true,
    role: 'requester',
    Component: lazy(() => import('../tabs/catalog/CatalogTab.tsx')),
  },
  {
    id: 'requests',
    label: 'nav.requests',
    visible: () => true,
    role: 'requester',
    Component: lazy(() => import('../tabs/requests/RequestsTab.tsx')),
  },
  {
    id: 'approvals',
    label: 'nav.approvals',
    visible: (s) => s.has('approvals:write'),
    role: 'approver',
    Component: lazy(() => import('../tabs/approvals/ApprovalsTab.tsx')),
  },
  {
    id: 'governance',
    label: 'nav.governance',
    visible: (s) => s.has('audit:read') || s.hasRole('governance_admin', 'tenant_admin'),
    role: 'governance_admin',
    Component: lazy(() => import('../tabs/governance/GovernanceTab.tsx')),
  },
  {
    id: 'admin',
    label: 'nav.admin',
    visible: (s) =>
      s.has('templates:write') || s.has('roles:manage') || s.has('webhooks:manage') || s.has('tokens:manage'),
    role: 'catalog_manager',
    Component: lazy(() => import('../tabs/admin/AdminTab.tsx')),
  },
];
