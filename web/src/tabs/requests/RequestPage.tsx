import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Field,
  makeStyles,
  MessageBar,
  MessageBarBody,
  ProgressBar,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Fragment, type ReactNode, useState } from 'react';
import { PeopleNames } from '../../components/PersonName.tsx';
import { api, ApiError } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { DiffView } from '../../components/DiffView.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { useFormat, useMessages } from '../../i18n/index.tsx';
import {
  type Activity,
  LIVE_STATUSES,
  type LogEntry,
  requestKey,
  type Run,
  type TeamRequest,
  useActivity,
  useRequest,
  useRun,
  useRunLog,
} from './api.ts';
import { type LiveState, useRequestEvents } from './live.ts';
import { messages } from './messages.ts';
import { RouterLink, StatusBadge } from './parts.tsx';
import { TeamSummary } from './TeamSummary.tsx';
import { DETAIL_PAGE } from '../../components/layout.ts';

type T = ReturnType<typeof useMessages<keyof typeof messages.en>>;

const WITH_RUN = new Set(['provisioning', 'completed', 'completed_with_drift', 'failed']);
const CANCELLABLE = new Set(['draft', 'pending_approval', 'approved']);
const ACTIVE_RUN = new Set(['queued', 'running', 'waiting', 'failed']);

const useStyles = makeStyles({
  ...DETAIL_PAGE,
  titleRow: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  list: {
    display: 'grid',
    gap: tokens.spacingVerticalS,
    margin: 0,
    paddingInlineStart: tokens.spacingHorizontalL,
  },
  log: {
    maxHeight: '320px',
    overflowY: 'auto',
    margin: 0,
    padding: tokens.spacingHorizontalS,
    listStyleType: 'none',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
  },
  logLine: { overflowWrap: 'anywhere' },
  warn: { color: tokens.colorPaletteDarkOrangeForeground1 },
  error: { color: tokens.colorPaletteRedForeground1 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  muted: { color: tokens.colorNeutralForeground2 },
});

/** The label of a field of a request (or a metadata key as is). */
export function fieldLabel(t: T, field: string): string {
  switch (field) {
    case 'name':
      return t('page.displayName');
    case 'description':
      return t('page.description');
    case 'welcomeMessage':
      return t('page.welcome');
    case 'owners':
      return t('page.owners');
    case 'members':
      return t('page.members');
    default:
      return field.startsWith('metadata.') ? field.slice('metadata.'.length) : field;
  }
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** One request: details, approval, live progress and log, the team, activity and comments. */
export function RequestPage(props: { requestId: string }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const request = useRequest(props.requestId);
  const status = request.data?.status;
  const live = useRequestEvents(props.requestId, status !== undefined && LIVE_STATUSES.has(status));

  if (request.isPending) return <Loading />;
  if (request.error) {
    const missing = request.error instanceof ApiError && request.error.status === 404;
    return (
      <div className={styles.page}>
        <RouterLink to="/tabs/requests">{t('page.back')}</RouterLink>
        <ErrorState
          error={missing ? new Error(t('page.notFound')) : request.error}
          onRetry={() => void request.refetch()}
        />
      </div>
    );
  }
  const r = request.data;
  const hasRun = WITH_RUN.has(r.status) || live.progress !== undefined;
  return (
    <div className={styles.page}>
      <header className={styles.header}>
        <RouterLink to="/tabs/requests">{t('page.back')}</RouterLink>
        <div className={styles.titleRow}>
          <Text as="h1" size={700} weight="semibold">
            {r.names?.displayName ?? r.name}
          </Text>
          <StatusBadge status={r.status} />
        </div>
        {LIVE_STATUSES.has(r.status) ? (
          <Text size={200} className={styles.muted}>
            {live.connected ? t('progress.live') : t('progress.connecting')}
          </Text>
        ) : null}
        {r.closedReason ? (
          <Text className={styles.muted}>
            {t('page.closedReason')}: {r.closedReason}
          </Text>
        ) : null}
      </header>
      {hasRun ? <Provisioning request={r} live={live} /> : null}
      {r.status === 'completed' || r.status === 'completed_with_drift' ? (
        <section className={styles.section} aria-labelledby="team-heading">
          <Text as="h2" id="team-heading" size={500} weight="semibold">
            {t('team.title')}
          </Text>
          <TeamSummary requestId={r.requestId} status={r.status} />
        </section>
      ) : null}
      <Details request={r} />
      <Stages request={r} />
      <ActivitySection requestId={r.requestId} />
    </div>
  );
}

function Provisioning(props: { request: TeamRequest; live: LiveState }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const session = useSession();
  const queryClient = useQueryClient();
  const { request, live } = props;
  const streaming = LIVE_STATUSES.has(request.status);
  const run = useRun(request.requestId, true);
  const fetchedLog = useRunLog(request.requestId, !streaming && live.log.length === 0);
  const log: LogEntry[] = streaming || live.log.length > 0 ? live.log : (fetchedLog.data?.items ?? []);
  const runStatus = live.progress?.status ?? run.data?.status;
  const progress = live.progress?.progress ?? run.data?.progress ?? 0;
  const stepName = live.progress?.currentStep ?? run.data?.currentStep ?? null;
  const step = stepTitle(run.data, stepName);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: requestKey(request.requestId) });
  const retry = useMutation({
    mutationFn: () => api<Run>('POST', `/requests/${request.requestId}/provisioning/retry`),
    onSuccess: refresh,
  });
  const cancel = useMutation({
    mutationFn: () =>
      api<Run>('POST', `/requests/${request.requestId}/provisioning/cancel`, { body: { removeTeam: false } }),
    onSuccess: refresh,
  });
  const manage = session.has('provisioning:manage');
  const failed = runStatus === 'failed';
  const error = run.data?.error;
  return (
    <section className={styles.section} aria-labelledby="progress-heading">
      <Text as="h2" id="progress-heading" size={500} weight="semibold">
        {t('progress.title')}
      </Text>
      <Field
        label={t('progress.label')}
        validationState={failed ? 'error' : runStatus?.startsWith('completed') ? 'success' : 'none'}
      >
        <ProgressBar value={progress / 100} max={1} thickness="large" />
      </Field>
      <Text role="status" aria-live="polite" data-testid="progress-status">
        {runStatus === 'queued' || runStatus === undefined
          ? t('progress.queued')
          : runStatus === 'running' || runStatus === 'waiting'
            ? t('progress.now', { progress, step: step ?? '…' })
            : `${t(`status.${request.status}`)} · ${progress} %`}
      </Text>
      {failed && error ? (
        <MessageBar intent="error">
          <MessageBarBody>
            {t('progress.error', { step: stepTitle(run.data, error.step) ?? '?', message: error.message })}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {retry.isSuccess ? (
        <MessageBar intent="success">
          <MessageBarBody>{t('progress.retried')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {cancel.isSuccess ? (
        <MessageBar intent="info">
          <MessageBarBody>{t('progress.cancelled')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {retry.error ? <ErrorState error={retry.error} /> : null}
      {cancel.error ? <ErrorState error={cancel.error} /> : null}
      {manage && runStatus && ACTIVE_RUN.has(runStatus) ? (
        <div className={styles.actions}>
          {failed ? (
            <Button appearance="primary" onClick={() => retry.mutate()} disabled={retry.isPending}>
              {t('progress.retry')}
            </Button>
          ) : null}
          <Button onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {t('progress.cancelRun')}
          </Button>
        </div>
      ) : null}
      <Text as="h3" weight="semibold">
        {t('log.title')}
      </Text>
      {log.length === 0 ? (
        <Text className={styles.muted}>{t('log.empty')}</Text>
      ) : (
        <ol className={styles.log} aria-label={t('log.title')} tabIndex={0}>
          {log.map((entry) => (
            <LogLine key={entry.logId} entry={entry} />
          ))}
        </ol>
      )}
    </section>
  );
}

function stepTitle(run: Run | undefined, name: string | null): string | null {
  if (!name) return null;
  return run?.steps.find((s) => s.name === name)?.title ?? name;
}

function LogLine(props: { entry: LogEntry }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const { entry } = props;
  const levelClass =
    entry.level === 'error' ? styles.error : entry.level === 'warn' ? styles.warn : undefined;
  return (
    <li className={styles.logLine}>
      <time dateTime={entry.at}>{format.dateTime(entry.at)}</time>{' '}
      <span className={levelClass}>[{t(`log.level.${entry.level}`)}]</span> {entry.message}
    </li>
  );
}

function Details(props: { request: TeamRequest }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const r = props.request;
  const rows: [string, ReactNode][] = [
    [t('page.requestId'), r.requestId],
    [t('page.template'), t('page.templateValue', { slug: r.template.slug, version: r.template.version })],
    [t('page.requester'), r.requester.name ?? r.requester.id],
    [t('page.submitted'), format.dateTime(r.submittedAt)],
    [t('page.displayName'), r.names?.displayName ?? r.name],
    [t('page.description'), r.description ?? ''],
    [t('page.welcome'), r.welcomeMessage ?? ''],
    [t('page.owners'), r.owners.length ? <PeopleNames ids={r.owners} /> : ''],
    [t('page.members'), r.members.length ? <PeopleNames ids={r.members} /> : ''],
    ...Object.entries(r.metadata).map(([k, v]): [string, ReactNode] => [k, valueText(v)]),
  ];
  return (
    <section className={styles.section} aria-labelledby="details-heading">
      <Text as="h2" id="details-heading" size={500} weight="semibold">
        {t('page.details')}
      </Text>
      <dl className={styles.details}>
        {rows.map(([term, value]) => (
          <Fragment key={term}>
            <dt className={styles.term}>{term}</dt>
            <dd className={styles.value}>{value || t('page.none')}</dd>
          </Fragment>
        ))}
      </dl>
      <CancelRequest request={r} />
    </section>
  );
}

function CancelRequest(props: { request: TeamRequest }) {
  const t = useMessages(messages);
  const { me, hasRole } = useSession();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [open, setOpen] = useState(false);
  const r = props.request;
  const cancel = useMutation({
    mutationFn: () =>
      api<TeamRequest>('POST', `/requests/${r.requestId}/cancel`, {
        body: reason.trim() ? { reason: reason.trim() } : {},
      }),
    onSuccess: (view) => {
      queryClient.setQueryData(requestKey(r.requestId), view);
      void queryClient.invalidateQueries({ queryKey: ['requests'] });
      setOpen(false);
    },
  });
  const mine = r.requester.id.toLowerCase() === me.principal.id.toLowerCase();
  if (!CANCELLABLE.has(r.status) || !(mine || hasRole('tenant_admin'))) return null;
  return (
    <Dialog open={open} onOpenChange={(_e, data) => setOpen(data.open)}>
      <DialogTrigger disableButtonEnhancement>
        <Button>{t('cancel.action')}</Button>
      </DialogTrigger>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{t('cancel.title')}</DialogTitle>
          <DialogContent>
            <Field label={t('cancel.reason')}>
              <Textarea value={reason} maxLength={1000} onChange={(_e, data) => setReason(data.value)} />
            </Field>
            {cancel.error ? <ErrorState error={cancel.error} /> : null}
          </DialogContent>
          <DialogActions>
            <DialogTrigger disableButtonEnhancement>
              <Button>{t('cancel.keep')}</Button>
            </DialogTrigger>
            <Button appearance="primary" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
              {t('cancel.confirm')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function Stages(props: { request: TeamRequest }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const { stages } = props.request;
  return (
    <section className={styles.section} aria-labelledby="stages-heading">
      <Text as="h2" id="stages-heading" size={500} weight="semibold">
        {t('stages.title')}
      </Text>
      {stages.length === 0 ? (
        <Text className={styles.muted}>{t('stages.none')}</Text>
      ) : (
        <ol className={styles.list}>
          {stages.map((s) => (
            <li key={s.stage}>
              <div className={styles.actions}>
                <Text weight="semibold">{s.name}</Text>
                <Badge
                  appearance="tint"
                  color={
                    s.status === 'approved' ? 'success' : s.status === 'rejected' ? 'danger' : 'informative'
                  }
                >
                  {t(`stageStatus.${s.status}`)}
                </Badge>
              </div>
              <Text block size={200} className={styles.muted}>
                {t('stages.approvers', {
                  names: s.approvers.map((a) => a.displayName ?? a.userPrincipalName ?? a.id).join(', '),
                })}
              </Text>
              {s.decidedBy ? (
                <Text block size={200}>
                  {t('stages.decided', {
                    name: s.decidedBy.name ?? s.decidedBy.id,
                    date: format.dateTime(s.decidedAt),
                  })}
                  {s.comment ? ` — “${s.comment}”` : ''}
                </Text>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function activityText(t: T, a: Activity): string {
  const actor = a.actor.type === 'system' ? t('activity.system') : (a.actor.name ?? a.actor.id);
  switch (a.kind) {
    case 'created':
    case 'submitted':
    case 'approved':
    case 'rejected':
    case 'edited':
    case 'commented':
    case 'cancelled':
    case 'expired':
    case 'reminded':
    case 'stage_opened':
      return t(`activity.${a.kind}`, { actor });
    case 'transitioned':
      return t('activity.status', {
        from: a.fromStatus ? statusLabel(t, a.fromStatus) : '—',
        to: a.toStatus ? statusLabel(t, a.toStatus) : '—',
      });
    default:
      return t('activity.other', { actor, kind: a.kind });
  }
}

function statusLabel(t: T, status: string): string {
  const key = `status.${status}` as keyof typeof messages.en;
  return key in messages.en ? t(key) : status;
}

function ActivitySection(props: { requestId: string }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const queryClient = useQueryClient();
  const activity = useActivity(props.requestId);
  const [text, setText] = useState('');
  const comment = useMutation({
    mutationFn: () =>
      api<Activity>('POST', `/requests/${props.requestId}/comments`, { body: { text: text.trim() } }),
    onSuccess: () => {
      setText('');
      void queryClient.invalidateQueries({ queryKey: [...requestKey(props.requestId), 'activity'] });
    },
  });
  const items = activity.data?.items ?? [];
  return (
    <section className={styles.section} aria-labelledby="activity-heading">
      <Text as="h2" id="activity-heading" size={500} weight="semibold">
        {t('activity.title')}
      </Text>
      {activity.isPending ? (
        <Loading />
      ) : activity.error ? (
        <ErrorState error={activity.error} onRetry={() => void activity.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={t('activity.empty')} />
      ) : (
        <ol className={styles.list}>
          {items.map((a) => (
            <li key={a.activityId}>
              <Text block>
                <time dateTime={a.at}>{format.dateTime(a.at)}</time> · {activityText(t, a)}
              </Text>
              {a.body ? <Text block className={styles.value}>{`“${a.body}”`}</Text> : null}
              {a.diff && a.diff.changes.length > 0 ? (
                <DiffView
                  changes={a.diff.changes.map((c) => ({ ...c, label: fieldLabel(t, c.field) }))}
                  labels={{
                    caption: t('diff.caption'),
                    field: t('diff.field'),
                    before: t('diff.before'),
                    after: t('diff.after'),
                    empty: t('page.none'),
                  }}
                />
              ) : null}
            </li>
          ))}
        </ol>
      )}
      <form
        className={styles.header}
        onSubmit={(event) => {
          event.preventDefault();
          if (text.trim()) comment.mutate();
        }}
      >
        <Field label={t('comment.label')}>
          <Textarea value={text} maxLength={4000} onChange={(_e, data) => setText(data.value)} />
        </Field>
        {comment.error ? <ErrorState error={comment.error} /> : null}
        <div className={styles.actions}>
          <Button type="submit" disabled={!text.trim() || comment.isPending}>
            {t('comment.send')}
          </Button>
        </div>
      </form>
    </section>
  );
}
