import {
  Button,
  Field,
  Input,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownloadRegular, ChevronLeftRegular, ChevronRightRegular } from '@fluentui/react-icons';
import { useId, useState } from 'react';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { useFormat, useMessages } from '../../i18n/index.tsx';
import { type AuditEvent, type AuditFilter, downloadAudit, useAuditPage } from './api.ts';
import { messages } from './messages.ts';

const useStyles = makeStyles({
  page: { display: 'grid', gap: tokens.spacingVerticalL },
  filters: {
    display: 'grid',
    gap: tokens.spacingHorizontalM,
    gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 180px), 1fr))',
    alignItems: 'end',
  },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  scroll: { overflowX: 'auto' },
  muted: { color: tokens.colorNeutralForeground2 },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, wordBreak: 'break-all' },
});

interface Draft {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  from: string;
  to: string;
}

const EMPTY: Draft = { actor: '', action: '', targetType: '', targetId: '', from: '', to: '' };

/** Dates of the form are whole days in the user's time zone: `to` includes its day. */
function filterOf(d: Draft): AuditFilter {
  const day = (value: string, plus: number) => {
    const [y, m, dd] = value.split('-').map(Number);
    return new Date(y ?? 1970, (m ?? 1) - 1, (dd ?? 1) + plus).toISOString();
  };
  const out: AuditFilter = {};
  if (d.actor.trim()) out.actor = d.actor.trim();
  if (d.action.trim()) out.action = d.action.trim();
  if (d.targetType.trim()) out.targetType = d.targetType.trim();
  if (d.targetId.trim()) out.targetId = d.targetId.trim();
  if (d.from) out.from = day(d.from, 0);
  if (d.to) out.to = day(d.to, 1);
  return out;
}

/** The audit trail: filters, pages of 25, export of everything the filters select. */
export function AuditLog() {
  const t = useMessages(messages);
  const styles = useStyles();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [filter, setFilter] = useState<AuditFilter>({});
  // Cursors of the pages before the one shown: "Previous" pops one.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useAuditPage(filter, cursor);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);
  const headingId = useId();
  const invalidRange = !!draft.from && !!draft.to && draft.from > draft.to;

  const set = (key: keyof Draft) => (_e: unknown, data: { value: string }) =>
    setDraft((d) => ({ ...d, [key]: data.value }));

  const apply = (event: React.FormEvent) => {
    event.preventDefault();
    if (invalidRange) return;
    setFilter(filterOf(draft));
    setCursors([]);
  };
  const reset = () => {
    setDraft(EMPTY);
    setFilter({});
    setCursors([]);
  };
  const exportAs = async (format: 'csv' | 'json') => {
    setExporting(true);
    setExportError(null);
    try {
      await downloadAudit(filter, format);
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(false);
    }
  };

  return (
    <section className={styles.page} aria-labelledby={headingId}>
      <Text as="h2" size={500} weight="semibold" id={headingId}>
        {t('audit.title')}
      </Text>
      <form onSubmit={apply} aria-label={t('audit.filters')} className={styles.page}>
        <div className={styles.filters}>
          <Field label={t('audit.actor')} hint={t('audit.actorHint')}>
            <Input value={draft.actor} onChange={set('actor')} />
          </Field>
          <Field label={t('audit.action')} hint={t('audit.actionHint')}>
            <Input value={draft.action} onChange={set('action')} />
          </Field>
          <Field label={t('audit.targetType')} hint={t('audit.targetTypeHint')}>
            <Input value={draft.targetType} onChange={set('targetType')} />
          </Field>
          <Field label={t('audit.targetId')}>
            <Input value={draft.targetId} onChange={set('targetId')} />
          </Field>
          <Field label={t('audit.from')}>
            <Input type="date" value={draft.from} onChange={set('from')} />
          </Field>
          <Field
            label={t('audit.to')}
            validationState={invalidRange ? 'error' : 'none'}
            validationMessage={invalidRange ? t('audit.badRange') : undefined}
          >
            <Input type="date" value={draft.to} onChange={set('to')} />
          </Field>
        </div>
        <div className={styles.actions}>
          <Button appearance="primary" type="submit" disabled={invalidRange}>
            {t('audit.apply')}
          </Button>
          <Button type="button" onClick={reset}>
            {t('audit.reset')}
          </Button>
          <Button
            type="button"
            icon={<ArrowDownloadRegular />}
            disabled={exporting}
            onClick={() => void exportAs('csv')}
          >
            {t('audit.exportCsv')}
          </Button>
          <Button
            type="button"
            icon={<ArrowDownloadRegular />}
            disabled={exporting}
            onClick={() => void exportAs('json')}
          >
            {t('audit.exportJson')}
          </Button>
        </div>
      </form>
      {exportError ? <ErrorState error={exportError} title={t('audit.exportFailed')} /> : null}
      {page.isPending ? (
        <Loading label={t('audit.loading')} />
      ) : page.error ? (
        <ErrorState error={page.error} onRetry={() => void page.refetch()} />
      ) : (
        <>
          <Text role="status" className={styles.muted}>
            {page.isFetching
              ? t('audit.loading')
              : t('audit.shown', { n: page.data.items.length, page: cursors.length + 1 })}
          </Text>
          {page.data.items.length === 0 ? (
            <EmptyState title={t('audit.empty')} />
          ) : (
            <div className={styles.scroll}>
              <AuditTable events={page.data.items} labelledBy={headingId} />
            </div>
          )}
          <nav className={styles.actions} aria-label={t('audit.paging')}>
            <Button
              icon={<ChevronLeftRegular />}
              disabled={cursors.length === 0}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              {t('audit.previous')}
            </Button>
            <Button
              icon={<ChevronRightRegular />}
              iconPosition="after"
              disabled={!page.data.nextCursor}
              onClick={() => {
                const next = page.data.nextCursor;
                if (next) setCursors((c) => [...c, next]);
              }}
            >
              {t('audit.next')}
            </Button>
          </nav>
        </>
      )}
    </section>
  );
}

function AuditTable(props: { events: AuditEvent[]; labelledBy: string }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  return (
    <Table aria-labelledby={props.labelledBy}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{t('audit.col.when')}</TableHeaderCell>
          <TableHeaderCell>{t('audit.col.actor')}</TableHeaderCell>
          <TableHeaderCell>{t('audit.col.action')}</TableHeaderCell>
          <TableHeaderCell>{t('audit.col.subject')}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.events.map((e) => (
          <TableRow key={e.eventId}>
            <TableCell>{format.dateTime(e.occurredAt)}</TableCell>
            <TableCell>
              <div>{e.actor.name ?? e.actor.id}</div>
              <div className={styles.muted}>
                {t(`audit.actor.${e.actor.type}`)}
                {e.actor.name ? <span className={styles.code}> · {e.actor.id}</span> : null}
              </div>
            </TableCell>
            <TableCell>
              <span className={styles.code}>{e.action}</span>
            </TableCell>
            <TableCell>
              <div>{e.target.type}</div>
              <div className={styles.code}>{e.target.id}</div>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
