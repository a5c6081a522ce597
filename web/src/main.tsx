import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, setTokenSource } from './api/client.ts';
import { App } from './app/App.tsx';
import { detectHost } from './app/host.ts';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // Client errors (403, 404, 409…) do not get better by retrying; network and 5xx do.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

const root = createRoot(document.getElementById('root') as HTMLElement);
const host = await detectHost();
setTokenSource(host.getToken);
root.render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App host={host} />
    </QueryClientProvider>
  </StrictMode>,
);
