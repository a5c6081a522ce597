import { lazy, Suspense, useEffect } from 'react';
import { navigate, useTabPath } from '../../app/router.ts';
import { useSession } from '../../app/session.tsx';
import { Loading } from '../../components/states.tsx';
import { CatalogHome } from './CatalogHome.tsx';

// The catalog itself is the first paint; a template's page and the wizard load when opened.
const TemplatePage = lazy(() => import('./TemplatePage.tsx'));
const RequestWizard = lazy(() => import('./wizard/RequestWizard.tsx'));

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Opens the template a Teams deep link names (`subEntityId` = a template slug), once. */
function useDeepLink(atHome: boolean) {
  const { host } = useSession();
  useEffect(() => {
    const item = host.subEntityId;
    if (atHome && item && SLUG.test(item) && sessionStorage.getItem('trellis.catalog.deepLink') !== item) {
      sessionStorage.setItem('trellis.catalog.deepLink', item);
      navigate(`/tabs/catalog/${encodeURIComponent(item)}`, { replace: true });
    }
  }, [atHome, host.subEntityId]);
}

/**
 * The catalog tab: the catalog (`/tabs/catalog`), a template's page (`/tabs/catalog/<slug>`) and
 * the request wizard (`/tabs/catalog/<slug>/request`).
 */
export default function CatalogTab() {
  const [slug, page] = useTabPath();
  useDeepLink(slug === undefined);
  if (slug === undefined) return <CatalogHome />;
  return (
    <Suspense fallback={<Loading />}>
      {page === 'request' ? (
        <RequestWizard key={slug} slug={slug} />
      ) : (
        <TemplatePage key={slug} slug={slug} />
      )}
    </Suspense>
  );
}
