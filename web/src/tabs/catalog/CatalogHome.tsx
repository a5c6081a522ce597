import {
  Badge,
  Button,
  Field,
  Link,
  makeStyles,
  Input,
  Select,
  Text,
  tokens,
} from '@fluentui/react-components';
import { SearchRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { navigate } from '../../app/router.ts';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { useMessages } from '../../i18n/index.tsx';
import { type CatalogEntry, type CatalogFilter, useCatalog, useCatalogFacets } from './api.ts';
import { messages } from './messages.ts';
import { TemplateIcon } from './TemplateIcon.tsx';
import { useDebounced } from './useDebounced.ts';

const ALL = '';

const useStyles = makeStyles({
  page: { display: 'grid', gap: tokens.spacingVerticalL },
  intro: { display: 'grid', gap: tokens.spacingVerticalXS },
  filters: {
    display: 'grid',
    gap: tokens.spacingHorizontalM,
    gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))',
    alignItems: 'end',
  },
  grid: {
    display: 'grid',
    gap: tokens.spacingHorizontalL,
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 280px), 1fr))',
    listStyleType: 'none',
    margin: 0,
    padding: 0,
  },
  card: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    height: '100%',
    boxSizing: 'border-box',
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
  },
  cardHeader: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  cardTitle: { display: 'grid', minWidth: 0 },
  description: { color: tokens.colorNeutralForeground2 },
  tags: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalXS,
    listStyleType: 'none',
    margin: 0,
    padding: 0,
  },
  footer: { marginTop: 'auto', display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  srOnly: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

/** A same-tab link that the router handles (and that still opens in a new tab with a modifier). */
export function onRouterClick(path: string) {
  return (event: React.MouseEvent) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(path);
  };
}

function TemplateCard(props: { entry: CatalogEntry }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const { entry } = props;
  const page = `/tabs/catalog/${encodeURIComponent(entry.slug)}`;
  return (
    <li>
      <article className={styles.card} aria-labelledby={`tpl-${entry.templateId}`}>
        <div className={styles.cardHeader}>
          <TemplateIcon path={entry.icon} />
          <div className={styles.cardTitle}>
            <Text as="h2" size={400} weight="semibold" id={`tpl-${entry.templateId}`}>
              <Link href={page} onClick={onRouterClick(page)}>
                {entry.name}
              </Link>
            </Text>
            <Text size={200} className={styles.description}>
              {entry.category}
            </Text>
          </div>
        </div>
        <Text className={styles.description}>{entry.description}</Text>
        {entry.tags.length > 0 ? (
          <ul className={styles.tags} aria-label={t('home.tagsOf', { name: entry.name })}>
            {entry.tags.map((tag) => (
              <li key={tag}>
                <Badge appearance="tint" shape="rounded">
                  {tag}
                </Badge>
              </li>
            ))}
          </ul>
        ) : null}
        <Text size={200} className={styles.description}>
          {entry.approvalStages === 0
            ? t('template.noApproval')
            : t('template.approvalStages', { count: entry.approvalStages })}
        </Text>
        <div className={styles.footer}>
          <Button
            appearance="primary"
            onClick={() => navigate(`${page}/request`)}
            aria-label={t('home.requestNamed', { name: entry.name })}
          >
            {t('template.request')}
          </Button>
          <Button onClick={() => navigate(page)} aria-label={t('home.detailsNamed', { name: entry.name })}>
            {t('home.details')}
          </Button>
        </div>
      </article>
    </li>
  );
}

function FilterDropdown(props: {
  label: string;
  allLabel: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
}) {
  return (
    <Field label={props.label}>
      <Select value={props.value} onChange={(_e, data) => props.onChange(data.value)}>
        <option value={ALL}>{props.allLabel}</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/** The catalog: search and filter the templates the user may request. */
export function CatalogHome() {
  const t = useMessages(messages);
  const styles = useStyles();
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState(ALL);
  const [tag, setTag] = useState(ALL);
  const q = useDebounced(search.trim(), 300);
  const filter: CatalogFilter = {
    ...(q ? { q } : {}),
    ...(category ? { category } : {}),
    ...(tag ? { tag } : {}),
  };
  const catalog = useCatalog(filter);
  const facets = useCatalogFacets();
  const entries = catalog.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Boolean(q || category || tag);
  const clear = () => {
    setSearch('');
    setCategory(ALL);
    setTag(ALL);
  };

  return (
    <div className={styles.page}>
      <div className={styles.intro}>
        <Text as="h1" size={700} weight="semibold">
          {t('home.title')}
        </Text>
        <Text>{t('home.intro')}</Text>
      </div>
      <div role="search" aria-label={t('home.filtersLabel')} className={styles.filters}>
        <Field label={t('home.search')}>
          <Input
            type="search"
            contentBefore={<SearchRegular aria-hidden />}
            value={search}
            onChange={(_e, data) => setSearch(data.value)}
            placeholder={t('home.searchPlaceholder')}
          />
        </Field>
        <FilterDropdown
          label={t('home.category')}
          allLabel={t('home.allCategories')}
          value={category}
          options={facets.data?.categories ?? []}
          onChange={setCategory}
        />
        <FilterDropdown
          label={t('home.tag')}
          allLabel={t('home.allTags')}
          value={tag}
          options={facets.data?.tags ?? []}
          onChange={setTag}
        />
      </div>
      <div role="status" className={styles.srOnly}>
        {catalog.isSuccess ? t('home.count', { count: entries.length }) : ''}
      </div>
      {catalog.isPending ? (
        <Loading label={t('home.loading')} />
      ) : catalog.error ? (
        <ErrorState error={catalog.error} onRetry={() => void catalog.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState
          title={filtered ? t('home.noMatch') : t('home.empty')}
          action={filtered ? <Button onClick={clear}>{t('home.clearFilters')}</Button> : undefined}
        >
          <Text>{filtered ? t('home.noMatchHint') : t('home.emptyHint')}</Text>
        </EmptyState>
      ) : (
        <>
          <ul className={styles.grid} aria-label={t('home.listLabel')}>
            {entries.map((entry) => (
              <TemplateCard key={entry.templateId} entry={entry} />
            ))}
          </ul>
          {catalog.hasNextPage ? (
            <Button onClick={() => void catalog.fetchNextPage()} disabled={catalog.isFetchingNextPage}>
              {t('home.more')}
            </Button>
          ) : null}
        </>
      )}
    </div>
  );
}
