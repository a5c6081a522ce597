import { useEffect } from 'react';
import { navigate, useTabPath } from '../../app/router.ts';
import { useSession } from '../../app/session.tsx';
import { ApprovalPage } from './ApprovalPage.tsx';
import { ApprovalQueue } from './ApprovalQueue.tsx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opens the request a Teams deep link names (`subEntityId` = a request id), once per item. */
function useDeepLink(atHome: boolean) {
  const { host } = useSession();
  useEffect(() => {
    const item = host.subEntityId;
    if (atHome && item && UUID.test(item) && sessionStorage.getItem('trellis.approvals.deepLink') !== item) {
      sessionStorage.setItem('trellis.approvals.deepLink', item);
      navigate(`/tabs/approvals/${encodeURIComponent(item)}`, { replace: true });
    }
  }, [atHome, host.subEntityId]);
}

/** Approvals: the queue with bulk decisions (`/tabs/approvals`) and one request (`/tabs/approvals/<id>`). */
export default function ApprovalsTab() {
  const [id] = useTabPath();
  useDeepLink(id === undefined);
  if (id && UUID.test(id)) return <ApprovalPage key={id} requestId={id} />;
  return <ApprovalQueue />;
}
