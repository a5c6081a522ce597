import {
  Badge,
  Card,
  Field,
  Link,
  makeStyles,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { lazy, Suspense, useId, useState } from 'react';
import { navigate } from '../../app/router.ts';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { useFormat, useLanguage, useMessages } from '../../i18n/index.tsx';
import type { BarPoint } from './Charts.tsx';
import {
  type AttentionItem,
  type GovernanceSummary,
  type SummaryRequest,
  useMetadataFields,
  useSummary,
} from './api.ts';
import { messages, type MessageKey } from './messages.ts';

const BarChart = lazy(() => import('./Charts.tsx'));
const DEFAULT_FIELD = 'department';

const useStyles = makeStyles({
  page: { display: 'grid', gap: tokens.spacingVerticalXL },
  tiles: {
    display: 'grid',
    gap: tokens.spacingHorizontalM,
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 150px), 1fr))',
    listStyleType: 'none',
    margin: 0,
    padding: 0,
  },
  tile: { height: '100%' },
  tileValue: { fontSize: tokens.fontSizeHero800, lineHeight: tokens.lineHeightHero800 },
  charts: {
    display: 'grid',
    gap: tokens.spacingHorizontalL,
    gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 420px), 1fr))',
    alignItems: 'start',
  },
  chart: { display: 'grid', gap: tokens.spacingVerticalS, minWidth: 0, margin: 0 },
  toolbar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalL, alignItems: 'end' },
  muted: { color: tokens.colorNeutralForeground2 },
  section: { display: 'grid', gap: tokens.spacingVerticalS },
  scroll: { overflowX: 'auto' },
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

/** The governance dashboard: totals, charts (each with a table alternative) and what needs attention. */
export function Dashboard() {
  const t = useMessages(messages);
  const styles = useStyles();
  const fields = useMetadataFields();
  const [chosen, setChosen] = useState<string | undefined>();
  const known = fields.data ?? [];
  const field =
    chosen ?? (known.some((f) => f.key === DEFAULT_FIELD) ? DEFAULT_FIELD : (known[0]?.key ?? DEFAULT_FIELD));
  const summary = useSummary(field, !fields.isPending);
  const selectId = useId();

  if (summary.isPending) return <Loading label={t('loading')} />;
  if (summary.error) return <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />;
  const data = summary.data;
  const options = known.some((f) => f.key === field) ? known : [{ key: field, label: field }, ...known];
  return (
    <div className={styles.page}>
      <section className={styles.section} aria-labelledby={`${selectId}-totals`}>
        <Text as="h2" size={500} weight="semibold" id={`${selectId}-totals`}>
          {t('totals.title')}
        </Text>
        <Totals summary={data} />
      </section>
      <section className={styles.section} aria-labelledby={`${selectId}-charts`}>
        <div className={styles.toolbar}>
          <Text as="h2" size={500} weight="semibold" id={`${selectId}-charts`}>
            {t('charts.title')}
          </Text>
          <Field label={t('charts.field')}>
            <Select value={field} onChange={(_e, d) => setChosen(d.value)}>
              {options.map((f) => (
                <option key={f.key} value={f.key}>
                  {f.label}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <Charts summary={data} />
      </section>
      <Attention items={data.attention} total={data.totals.drift + data.totals.tooFewOwners} />
      <RequestList
        title={t('pending.title')}
        empty={t('pending.empty')}
        detailLabel={t('pending.stage')}
        atLabel={t('pending.since')}
        items={data.pendingRequests}
        total={data.totals.pending}
      />
      <RequestList
        title={t('failed.title')}
        empty={t('failed.empty')}
        detailLabel={t('failed.reason')}
        atLabel={t('failed.at')}
        items={data.failedRequests}
        total={data.totals.failed}
      />
    </div>
  );
}

const TILES: { key: keyof GovernanceSummary['totals']; label: MessageKey }[] = [
  { key: 'teams', label: 'totals.teams' },
  { key: 'pending', label: 'totals.pending' },
  { key: 'provisioning', label: 'totals.provisioning' },
  { key: 'failed', label: 'totals.failed' },
  { key: 'drift', label: 'totals.drift' },
  { key: 'tooFewOwners', label: 'totals.tooFewOwners' },
];

function Totals(props: { summary: GovernanceSummary }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const base = useId();
  return (
    <ul className={styles.tiles}>
      {TILES.map((tile) => (
        <li key={tile.key}>
          <Card className={styles.tile} role="group" aria-labelledby={`${base}-${tile.key}`}>
            <Text id={`${base}-${tile.key}`} className={styles.muted}>
              {t(tile.label)}
            </Text>
            <Text className={styles.tileValue} weight="semibold" data-total={tile.key}>
              {format.number(props.summary.totals[tile.key])}
            </Text>
          </Card>
        </li>
      ))}
    </ul>
  );
}

function monthLabel(month: string, language: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(language === 'fr' ? 'fr-FR' : 'en-GB', {
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, 1)));
}

function Charts(props: { summary: GovernanceSummary }) {
  const t = useMessages(messages);
  const language = useLanguage();
  const styles = useStyles();
  const s = props.summary;
  const fieldName = s.teamsByField.label ?? s.teamsByField.field;
  const d = s.provisioningDurations;
  const bucketLabel = (upTo: number | null, i: number) => {
    const from = i === 0 ? 0 : (d.buckets[i - 1]?.upToSeconds ?? 0);
    return upTo === null
      ? t('durations.over', { from: duration(t, from) })
      : t('durations.range', { from: duration(t, from), to: duration(t, upTo) });
  };
  return (
    <>
      <div className={styles.charts}>
        <ChartBlock
          title={t('charts.byTemplate')}
          category={t('charts.template')}
          orientation="horizontal"
          points={s.teamsByTemplate.map((r) => ({ label: r.name, value: r.count }))}
        />
        <ChartBlock
          title={t('charts.byField', { field: fieldName })}
          category={fieldName}
          orientation="horizontal"
          points={s.teamsByField.items.map((r) => ({ label: r.value ?? t('charts.notSet'), value: r.count }))}
        />
        <ChartBlock
          title={t('charts.byMonth')}
          category={t('charts.month')}
          orientation="vertical"
          points={s.teamsByMonth.map((r) => ({ label: monthLabel(r.month, language), value: r.count }))}
        />
        <ChartBlock
          title={t('charts.byStatus')}
          category={t('charts.status')}
          orientation="horizontal"
          valueLabel={t('charts.requests')}
          points={s.requestsByStatus.map((r) => ({ label: statusLabel(t, r.status), value: r.count }))}
        />
        <ChartBlock
          title={t('charts.durations')}
          category={t('charts.duration')}
          orientation="vertical"
          valueLabel={t('charts.runs')}
          points={d.buckets.map((b, i) => ({ label: bucketLabel(b.upToSeconds, i), value: b.count }))}
          note={
            d.runs > 0
              ? t('durations.stats', {
                  runs: d.runs,
                  median: duration(t, d.medianSeconds ?? 0),
                  p90: duration(t, d.p90Seconds ?? 0),
                  max: duration(t, d.maxSeconds ?? 0),
                })
              : undefined
          }
        />
      </div>
    </>
  );
}

const STATUSES = new Set([
  'draft',
  'pending_approval',
  'approved',
  'provisioning',
  'completed',
  'completed_with_drift',
  'failed',
  'rejected',
  'cancelled',
  'expired',
]);

function statusLabel(t: (k: MessageKey) => string, status: string): string {
  return STATUSES.has(status) ? t(`status.${status}` as MessageKey) : status;
}

/** `1 h 5 min`, `4 min 10 s`, `12 s`. */
function duration(t: (k: MessageKey, v?: Record<string, string | number>) => string, seconds: number) {
  const s = Math.round(seconds);
  if (s < 60) return t('unit.s', { n: s });
  if (s < 3600) {
    const rest = s % 60;
    return rest ? t('unit.minS', { m: Math.floor(s / 60), s: rest }) : t('unit.min', { n: s / 60 });
  }
  const min = Math.round((s % 3600) / 60);
  return min ? t('unit.hMin', { h: Math.floor(s / 3600), m: min }) : t('unit.h', { n: Math.floor(s / 3600) });
}

/** A titled chart with its data as a table for screen readers (and as text when there is none). */
function ChartBlock(props: {
  title: string;
  category: string;
  points: BarPoint[];
  orientation: 'vertical' | 'horizontal';
  valueLabel?: string;
  note?: string | undefined;
}) {
  const t = useMessages(messages);
  const styles = useStyles();
  const language = useLanguage();
  const format = useFormat();
  const id = useId();
  const empty = props.points.every((p) => p.value === 0);
  return (
    <Card>
      <figure className={styles.chart} aria-labelledby={id}>
        <Text as="h3" size={400} weight="semibold" id={id}>
          {props.title}
        </Text>
        {empty ? (
          <Text className={styles.muted}>{t('charts.empty')}</Text>
        ) : (
          <>
            <div>
              <Suspense fallback={<Loading label={t('charts.loading')} />}>
                <BarChart
                  title={props.title}
                  points={props.points}
                  orientation={props.orientation}
                  culture={language === 'fr' ? 'fr-FR' : 'en-GB'}
                />
              </Suspense>
            </div>
            <Table className={styles.srOnly} size="small">
              <caption>{props.title}</caption>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{props.category}</TableHeaderCell>
                  <TableHeaderCell>{props.valueLabel ?? t('charts.teams')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {props.points.map((p, i) => (
                  <TableRow key={`${p.label}-${i}`}>
                    <TableCell>{p.label}</TableCell>
                    <TableCell>{format.number(p.value)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </>
        )}
        {props.note ? <Text className={styles.muted}>{props.note}</Text> : null}
      </figure>
    </Card>
  );
}

function requestLink(requestId: string) {
  const href = `/tabs/requests/${encodeURIComponent(requestId)}`;
  return {
    href,
    onClick: (event: React.MouseEvent) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      navigate(href);
    },
  };
}

function Attention(props: { items: AttentionItem[]; total: number }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const id = useId();
  return (
    <section className={styles.section} aria-labelledby={id}>
      <Text as="h2" size={500} weight="semibold" id={id}>
        {t('attention.title')}
      </Text>
      {props.items.length === 0 ? (
        <EmptyState title={t('attention.empty')} />
      ) : (
        <div className={styles.scroll}>
          <Table aria-labelledby={id}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('col.team')}</TableHeaderCell>
                <TableHeaderCell>{t('col.template')}</TableHeaderCell>
                <TableHeaderCell>{t('col.issue')}</TableHeaderCell>
                <TableHeaderCell>{t('col.owners')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {props.items.map((item) => (
                <TableRow key={item.requestId}>
                  <TableCell>
                    <Link {...requestLink(item.requestId)}>{item.name}</Link>
                  </TableCell>
                  <TableCell>{item.templateSlug}</TableCell>
                  <TableCell>
                    {item.drift ? (
                      <Badge appearance="tint" color="warning">
                        {t('attention.drift', { n: item.differences })}
                      </Badge>
                    ) : null}{' '}
                    {item.owners < item.minimumOwners ? (
                      <Badge appearance="tint" color="danger">
                        {t('attention.owners')}
                      </Badge>
                    ) : null}
                  </TableCell>
                  <TableCell>
                    {t('attention.ownerCount', { owners: item.owners, minimum: item.minimumOwners })}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}

function RequestList(props: {
  title: string;
  empty: string;
  detailLabel: string;
  atLabel: string;
  items: SummaryRequest[];
  total: number;
}) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const id = useId();
  return (
    <section className={styles.section} aria-labelledby={id}>
      <Text as="h2" size={500} weight="semibold" id={id}>
        {props.title}
      </Text>
      {props.items.length === 0 ? (
        <EmptyState title={props.empty} />
      ) : (
        <>
          {props.total > props.items.length ? (
            <Text className={styles.muted}>
              {t('list.showing', { shown: props.items.length, total: props.total })}
            </Text>
          ) : null}
          <div className={styles.scroll}>
            <Table aria-labelledby={id}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('col.request')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.template')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.requester')}</TableHeaderCell>
                  <TableHeaderCell>{props.atLabel}</TableHeaderCell>
                  <TableHeaderCell>{props.detailLabel}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {props.items.map((r) => (
                  <TableRow key={r.requestId}>
                    <TableCell>
                      <Link {...requestLink(r.requestId)}>{r.name}</Link>
                    </TableCell>
                    <TableCell>{r.templateSlug}</TableCell>
                    <TableCell>{r.requester ?? '—'}</TableCell>
                    <TableCell>{format.dateTime(r.at)}</TableCell>
                    <TableCell>{r.detail ?? '—'}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </>
      )}
    </section>
  );
}
