import { useSyncExternalStore } from 'react';

// A tiny router over the History API: the tabs have few pages, and each is a plain path
// (/tabs/<tab>/<page>…) so that Teams deep links and browser bookmarks land on it.

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
window.addEventListener('popstate', notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => `${window.location.pathname}${window.location.search}`;

/** The current path and query, re-rendering on navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const full = useSyncExternalStore(subscribe, snapshot);
  const [path = '/', search = ''] = full.split('?');
  return { path, query: new URLSearchParams(search) };
}

/** Navigates within the app without reloading (the Teams query flag is kept). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
  window.scrollTo(0, 0);
}

/** The segments after /tabs/<tab>/: `/tabs/requests/123/log` → ['123', 'log']. */
export function useTabPath(): string[] {
  const { path } = useLocation();
  return path.split('/').filter(Boolean).slice(2).map(decodeURIComponent);
}
