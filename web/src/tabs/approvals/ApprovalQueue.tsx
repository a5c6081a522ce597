import {
  Button,
  Checkbox,
  Field,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { navigate } from '../../app/router.ts';
import { DETAIL_PAGE } from '../../components/layout.ts';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { useFormat, useMessages } from '../../i18n/index.tsx';
import { approvalsKey, approve, reject, type TeamRequest, useApprovalQueue } from './api.ts';
import { messages } from './messages.ts';

const useStyles = makeStyles({
  page: { display: 'grid', gap: tokens.spacingVerticalL },
  intro: { display: 'grid', gap: tokens.spacingVerticalXS },
  muted: { color: tokens.colorNeutralForeground2 },
  scroll: { overflowX: 'auto' },
  caption: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)' },
  bulk: DETAIL_PAGE.section,
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  results: { display: 'grid', gap: tokens.spacingVerticalXS, margin: 0, padding: 0, listStyleType: 'none' },
});

type Outcome = { requestId: string; name: string; ok: boolean; text: string };

const displayName = (r: TeamRequest) => r.names?.displayName ?? r.name;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The queue of requests waiting for the user, with bulk approve or reject under one comment. */
export function ApprovalQueue() {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const queryClient = useQueryClient();
  const queue = useApprovalQueue();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState<string | undefined>();
  const [progress, setProgress] = useState<{ done: number; total: number } | undefined>();
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const items = queue.data?.pages.flatMap((p) => p.items) ?? [];
  const chosen = items.filter((r) => selected.has(r.requestId));

  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  async function decide(kind: 'approve' | 'reject') {
    const text = comment.trim();
    if (kind === 'reject' && !text) {
      setCommentError(t('decide.commentRequired'));
      return;
    }
    setCommentError(undefined);
    const results: Outcome[] = [];
    setProgress({ done: 0, total: chosen.length });
    // One at a time: each decision is checked against the revision shown, and reported alone.
    for (const r of chosen) {
      const name = displayName(r);
      try {
        if (kind === 'approve') await approve(r, text ? { comment: text } : {});
        else await reject(r, text);
        results.push({
          requestId: r.requestId,
          name,
          ok: true,
          text: t(kind === 'approve' ? 'bulk.approved' : 'bulk.rejected', { name }),
        });
      } catch (error) {
        results.push({
          requestId: r.requestId,
          name,
          ok: false,
          text: t('bulk.failed', { name, message: errorText(error) }),
        });
      }
      setProgress({ done: results.length, total: chosen.length });
    }
    setOutcomes(results);
    setProgress(undefined);
    setSelected(new Set(results.filter((o) => !o.ok).map((o) => o.requestId)));
    if (results.some((o) => o.ok)) setComment('');
    await queryClient.invalidateQueries({ queryKey: approvalsKey });
    void queryClient.invalidateQueries({ queryKey: ['requests'] });
  }

  const allSelected = items.length > 0 && chosen.length === items.length;
  return (
    <div className={styles.page}>
      <div className={styles.intro}>
        <Text as="h1" size={700} weight="semibold">
          {t('title')}
        </Text>
        <Text className={styles.muted}>{t('intro')}</Text>
      </div>
      {outcomes.length > 0 ? (
        <section aria-labelledby="results-heading" className={styles.bulk}>
          <Text as="h2" id="results-heading" size={500} weight="semibold">
            {t('bulk.results')}
          </Text>
          <Text role="status">
            {t('bulk.summary', { ok: outcomes.filter((o) => o.ok).length, total: outcomes.length })}
          </Text>
          <ul className={styles.results}>
            {outcomes.map((o) => (
              <li key={o.requestId}>
                <MessageBar intent={o.ok ? 'success' : 'error'}>
                  <MessageBarBody>{o.text}</MessageBarBody>
                </MessageBar>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {queue.isPending ? (
        <Loading />
      ) : queue.error ? (
        <ErrorState error={queue.error} onRetry={() => void queue.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={t('queue.empty')}>
          <Text>{t('queue.emptyBody')}</Text>
        </EmptyState>
      ) : (
        <>
          <div className={styles.scroll}>
            <Table>
              <caption className={styles.caption}>{t('queue.caption')}</caption>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell scope="col">
                    <Checkbox
                      aria-label={t('queue.selectAll')}
                      checked={allSelected ? true : chosen.length > 0 ? 'mixed' : false}
                      onChange={(_e, data) =>
                        setSelected(
                          data.checked === true ? new Set(items.map((r) => r.requestId)) : new Set(),
                        )
                      }
                    />
                  </TableHeaderCell>
                  <TableHeaderCell scope="col">{t('queue.name')}</TableHeaderCell>
                  <TableHeaderCell scope="col">{t('queue.requester')}</TableHeaderCell>
                  <TableHeaderCell scope="col">{t('queue.template')}</TableHeaderCell>
                  <TableHeaderCell scope="col">{t('queue.stage')}</TableHeaderCell>
                  <TableHeaderCell scope="col">{t('queue.submitted')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((r) => {
                  const name = displayName(r);
                  const to = `/tabs/approvals/${r.requestId}`;
                  const stage = r.currentStage !== null ? r.stages[r.currentStage] : undefined;
                  return (
                    <TableRow key={r.requestId} data-request={r.requestId}>
                      <TableCell>
                        <Checkbox
                          aria-label={t('queue.selectOne', { name })}
                          checked={selected.has(r.requestId)}
                          onChange={(_e, data) => toggle(r.requestId, data.checked === true)}
                        />
                      </TableCell>
                      <TableCell>
                        <Link
                          href={to}
                          onClick={(event) => {
                            if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0)
                              return;
                            event.preventDefault();
                            navigate(to);
                          }}
                        >
                          {name}
                        </Link>
                      </TableCell>
                      <TableCell>{r.requester.name ?? r.requester.id}</TableCell>
                      <TableCell>{r.template.slug}</TableCell>
                      <TableCell>{stage?.name ?? '—'}</TableCell>
                      <TableCell>{format.dateTime(r.submittedAt)}</TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </div>
          {queue.hasNextPage ? (
            <Button onClick={() => void queue.fetchNextPage()} disabled={queue.isFetchingNextPage}>
              {t('queue.loadMore')}
            </Button>
          ) : null}
          <section aria-labelledby="bulk-heading" className={styles.bulk}>
            <Text as="h2" id="bulk-heading" size={500} weight="semibold">
              {t('bulk.title')}
            </Text>
            <Text role="status">
              {progress
                ? t('bulk.working', { done: progress.done, total: progress.total })
                : t('bulk.selected', { count: chosen.length })}
            </Text>
            <Field
              label={t('bulk.comment')}
              hint={t('bulk.commentHint')}
              validationState={commentError ? 'error' : 'none'}
              validationMessage={commentError}
            >
              <Textarea value={comment} maxLength={4000} onChange={(_e, data) => setComment(data.value)} />
            </Field>
            <div className={styles.actions}>
              <Button
                appearance="primary"
                disabled={chosen.length === 0 || progress !== undefined}
                onClick={() => void decide('approve')}
              >
                {t('bulk.approve')}
              </Button>
              <Button
                disabled={chosen.length === 0 || progress !== undefined}
                onClick={() => void decide('reject')}
              >
                {t('bulk.reject')}
              </Button>
            </div>
          </section>
        </>
      )}
    </div>
  );
}
