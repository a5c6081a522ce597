import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Link,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { useT } from '../i18n/index.tsx';

const useStyles = makeStyles({
  center: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
  empty: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingVerticalXXL,
    color: tokens.colorNeutralForeground2,
    textAlign: 'center',
  },
});

/** A centred spinner with a label screen readers announce. */
export function Loading(props: { label?: string }) {
  const t = useT();
  const styles = useStyles();
  return (
    <div className={styles.center} role="status">
      <Spinner label={props.label ?? t('state.loading')} />
    </div>
  );
}

/**
 * An error with its message and a retry button. A `consent_required` error (Graph on the user's behalf,
 * refused for want of the organisation's consent) says which permission and links to admin consent.
 */
export function ErrorState(props: { error: unknown; onRetry?: () => void; title?: string }) {
  const t = useT();
  if (props.error instanceof ApiError && props.error.code === 'consent_required') {
    // The problem's `errors`: { scopes, consentUrl }.
    const info = (props.error.details.errors ?? {}) as { scopes?: unknown; consentUrl?: unknown };
    const scopes = Array.isArray(info.scopes) ? info.scopes.join(', ') : '';
    const consentUrl = info.consentUrl;
    return (
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{t('state.consent.title')}</MessageBarTitle>
          {t('state.consent.body', { scopes })}{' '}
          {typeof consentUrl === 'string' && consentUrl.startsWith('/') ? (
            <Link href={consentUrl} target="_blank" rel="noopener">
              {t('state.consent.action')}
            </Link>
          ) : null}
        </MessageBarBody>
      </MessageBar>
    );
  }
  const message = props.error instanceof Error ? props.error.message : String(props.error);
  const forbidden = props.error instanceof ApiError && props.error.status === 403;
  return (
    <MessageBar intent={forbidden ? 'warning' : 'error'} layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{props.title ?? t('state.error')}</MessageBarTitle>
        {message}
      </MessageBarBody>
      {props.onRetry && !forbidden ? (
        <MessageBarActions>
          <Button onClick={props.onRetry}>{t('state.retry')}</Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}

/** What a list shows when it has nothing, with an optional call to action. */
export function EmptyState(props: { title?: string; children?: ReactNode; action?: ReactNode }) {
  const t = useT();
  const styles = useStyles();
  return (
    <div className={styles.empty}>
      <Text weight="semibold" size={400}>
        {props.title ?? t('state.empty')}
      </Text>
      {props.children}
      {props.action}
    </div>
  );
}

/** Loading, error or the content of a query: `<QueryView query={q}>{(data) => …}</QueryView>`. */
export function QueryView<T>(props: {
  query: { isPending: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  children: (data: T) => ReactNode;
  loadingLabel?: string;
}) {
  const { query } = props;
  if (query.isPending) return <Loading {...(props.loadingLabel ? { label: props.loadingLabel } : {})} />;
  if (query.error) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  if (query.data === undefined) return <Loading />;
  return <>{props.children(query.data)}</>;
}
