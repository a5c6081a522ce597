import {
  Button,
  Dropdown,
  Field,
  makeStyles,
  Option,
  SearchBox,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useSession } from '../../app/session.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { useFormat, useMessages } from '../../i18n/index.tsx';
import { REQUEST_STATUSES, type RequestStatus, useMyRequests } from './api.ts';
import { messages } from './messages.ts';
import { RouterLink, StatusBadge } from './parts.tsx';

const ALL = 'all';

const useStyles = makeStyles({
  list: { display: 'grid', gap: tokens.spacingVerticalM },
  filters: {
    display: 'grid',
    gap: tokens.spacingHorizontalM,
    gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 220px), 1fr))',
    alignItems: 'end',
  },
  scroll: { overflowX: 'auto' },
  caption: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)' },
  muted: { color: tokens.colorNeutralForeground2 },
});

/** The value once it has stopped changing for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** The user's requests with their state, filtered by state and searched by name or id. */
export function RequestList() {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const { me } = useSession();
  const [status, setStatus] = useState<RequestStatus | typeof ALL>(ALL);
  const [search, setSearch] = useState('');
  const q = useDebounced(search, 300);
  const query = useMyRequests({ requester: me.principal.id, status: status === ALL ? [] : [status], q });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = status !== ALL || q.trim() !== '';

  return (
    <section className={styles.list} aria-labelledby="requests-heading">
      <Text as="h2" id="requests-heading" size={500} weight="semibold">
        {t('view.requests')}
      </Text>
      <div className={styles.filters}>
        <Field label={t('filter.status')}>
          <Dropdown
            value={status === ALL ? t('filter.all') : t(`status.${status}`)}
            selectedOptions={[status]}
            onOptionSelect={(_e, data) => setStatus((data.optionValue as RequestStatus | undefined) ?? ALL)}
          >
            <Option value={ALL}>{t('filter.all')}</Option>
            {REQUEST_STATUSES.map((s) => (
              <Option key={s} value={s}>
                {t(`status.${s}`)}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label={t('filter.search')}>
          <SearchBox
            value={search}
            placeholder={t('filter.searchPlaceholder')}
            onChange={(_e, data) => setSearch(data.value)}
          />
        </Field>
      </div>
      {query.isPending ? (
        <Loading />
      ) : query.error ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={filtered ? t('list.emptyFiltered') : t('list.empty')}>
          {filtered ? null : (
            <>
              <Text>{t('list.emptyBody')}</Text>
              <RouterLink to="/tabs/catalog">{t('list.toCatalog')}</RouterLink>
            </>
          )}
        </EmptyState>
      ) : (
        <>
          <div className={styles.scroll}>
            <Table size="medium">
              <caption className={styles.caption}>{t('list.caption')}</caption>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell scope="col">{t('list.name')}</TableHeaderCell>
                  <TableHeaderCell scope="col">{t('list.status')}</TableHeaderCell>
                  <TableHeaderCell scope="col">{t('list.template')}</TableHeaderCell>
                  <TableHeaderCell scope="col">{t('list.updated')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((r) => (
                  <TableRow key={r.requestId} data-request={r.requestId}>
                    <TableCell>
                      <RouterLink to={`/tabs/requests/${r.requestId}`}>
                        {r.names?.displayName ?? r.name}
                      </RouterLink>
                    </TableCell>
                    <TableCell>
                      <StatusBadge status={r.status} />
                    </TableCell>
                    <TableCell>{r.template.slug}</TableCell>
                    <TableCell>{format.dateTime(r.updatedAt)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          <Text className={styles.muted} role="status">
            {t('list.count', { count: format.number(items.length) })}
          </Text>
          {query.hasNextPage ? (
            <Button onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
              {t('list.loadMore')}
            </Button>
          ) : null}
        </>
      )}
    </section>
  );
}
