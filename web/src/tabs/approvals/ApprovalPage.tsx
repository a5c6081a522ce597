import {
  Button,
  Field,
  Input,
  Link,
  makeStyles,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Switch,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Fragment, type ReactNode, useMemo, useState } from 'react';
import { PeopleNames } from '../../components/PersonName.tsx';
import { ApiError } from '../../api/client.ts';
import { navigate } from '../../app/router.ts';
import { DiffView } from '../../components/DiffView.tsx';
import { ErrorState, Loading } from '../../components/states.tsx';
import { useFormat, useMessages } from '../../i18n/index.tsx';
import { approvalsKey, approve, reject, type TeamRequest, useApprovalRequest } from './api.ts';
import { type EditForm, editsOf, formOf } from './edits.ts';
import { messages } from './messages.ts';
import { DETAIL_PAGE } from '../../components/layout.ts';

type T = ReturnType<typeof useMessages<keyof typeof messages.en>>;

const useStyles = makeStyles({
  ...DETAIL_PAGE,
  form: {
    display: 'grid',
    gap: tokens.spacingVerticalM,
    gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 280px), 1fr))',
  },
  fieldset: {
    border: 'none',
    margin: 0,
    padding: 0,
    display: 'grid',
    gap: tokens.spacingVerticalM,
    minWidth: 0,
  },
  legend: { fontWeight: tokens.fontWeightSemibold, padding: 0, marginBottom: tokens.spacingVerticalS },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  muted: { color: tokens.colorNeutralForeground2 },
});

function fieldLabel(t: T, field: string): string {
  switch (field) {
    case 'name':
    case 'description':
    case 'welcomeMessage':
    case 'owners':
    case 'members':
      return t(`field.${field}`);
    default:
      return field.startsWith('metadata.') ? field.slice('metadata.'.length) : field;
  }
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function BackLink() {
  const t = useMessages(messages);
  return (
    <Link
      href="/tabs/approvals"
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate('/tabs/approvals');
      }}
    >
      {t('page.back')}
    </Link>
  );
}

/** One request to decide: details, edits with their diff, approve or reject with a comment. */
export function ApprovalPage(props: { requestId: string }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const request = useApprovalRequest(props.requestId);
  // Kept above the form: the decision gives a new revision, which remounts the form below.
  const [decided, setDecided] = useState<{ kind: 'approved' | 'rejected'; name: string }>();
  if (request.isPending) return <Loading />;
  if (request.error) {
    const missing = request.error instanceof ApiError && request.error.status === 404;
    return (
      <div className={styles.page}>
        <BackLink />
        <ErrorState
          error={missing ? new Error(t('page.notFound')) : request.error}
          onRetry={() => void request.refetch()}
        />
      </div>
    );
  }
  // A new revision (someone else's edit) resets the form: the approver reviews what is current.
  return (
    <Decision
      key={request.data.revision}
      request={request.data}
      decided={decided}
      onDecided={(kind, view) => setDecided({ kind, name: view.names?.displayName ?? view.name })}
    />
  );
}

function Details(props: { request: TeamRequest }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const r = props.request;
  const stage = r.currentStage !== null ? r.stages[r.currentStage] : undefined;
  const rows: [string, ReactNode][] = [
    [t('page.requester'), r.requester.name ?? r.requester.id],
    [t('page.template'), t('page.templateValue', { slug: r.template.slug, version: r.template.version })],
    [
      t('page.stage'),
      stage
        ? t('page.stageValue', { name: stage.name, number: stage.stage + 1, total: r.stages.length })
        : '',
    ],
    [t('page.submitted'), format.dateTime(r.submittedAt)],
    [t('page.expires'), format.dateTime(r.expiresAt)],
    [t('page.revision'), String(r.revision)],
    [t('field.name'), r.name],
    [t('field.description'), r.description ?? ''],
    [t('field.welcomeMessage'), r.welcomeMessage ?? ''],
    [t('field.owners'), r.owners.length ? <PeopleNames ids={r.owners} /> : ''],
    [t('field.members'), r.members.length ? <PeopleNames ids={r.members} /> : ''],
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
    </section>
  );
}

function EditFields(props: { form: EditForm; onChange: (form: EditForm) => void }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const { form, onChange } = props;
  const set = <K extends keyof EditForm>(key: K, value: EditForm[K]) => onChange({ ...form, [key]: value });
  const keys = Object.keys(form.metadata).sort();
  return (
    <>
      <div className={styles.form}>
        <Field label={t('field.name')} required>
          <Input value={form.name} maxLength={256} onChange={(_e, d) => set('name', d.value)} />
        </Field>
        <Field label={t('field.owners')} hint={t('field.peopleHint')}>
          <Input value={form.owners} onChange={(_e, d) => set('owners', d.value)} />
        </Field>
        <Field label={t('field.description')}>
          <Textarea
            value={form.description}
            maxLength={1024}
            onChange={(_e, d) => set('description', d.value)}
          />
        </Field>
        <Field label={t('field.members')} hint={t('field.peopleHint')}>
          <Input value={form.members} onChange={(_e, d) => set('members', d.value)} />
        </Field>
        <Field label={t('field.welcomeMessage')}>
          <Textarea
            value={form.welcomeMessage}
            maxLength={4000}
            onChange={(_e, d) => set('welcomeMessage', d.value)}
          />
        </Field>
      </div>
      {keys.length > 0 ? (
        <fieldset className={styles.fieldset}>
          <legend className={styles.legend}>{t('edit.metadata')}</legend>
          <div className={styles.form}>
            {keys.map((key) => {
              const value = form.metadata[key];
              const update = (v: string | boolean) => set('metadata', { ...form.metadata, [key]: v });
              return typeof value === 'boolean' ? (
                <Switch key={key} label={key} checked={value} onChange={(_e, d) => update(d.checked)} />
              ) : (
                <Field key={key} label={key}>
                  <Input value={value ?? ''} onChange={(_e, d) => update(d.value)} />
                </Field>
              );
            })}
          </div>
        </fieldset>
      ) : null}
    </>
  );
}

function Decision(props: {
  request: TeamRequest;
  decided: { kind: 'approved' | 'rejected'; name: string } | undefined;
  onDecided: (kind: 'approved' | 'rejected', view: TeamRequest) => void;
}) {
  const t = useMessages(messages);
  const styles = useStyles();
  const queryClient = useQueryClient();
  const r = props.request;
  const stage = r.currentStage !== null ? r.stages[r.currentStage] : undefined;
  const pending = r.status === 'pending_approval';
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState<EditForm>(() => formOf(r));
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState<string | undefined>();
  const { edits, changes } = useMemo(() => editsOf(r, form), [r, form]);
  const name = r.names?.displayName ?? r.name;

  const done = (kind: 'approved' | 'rejected') => (view: TeamRequest) => {
    props.onDecided(kind, view);
    queryClient.setQueryData(['request', r.requestId], view);
    void queryClient.invalidateQueries({ queryKey: approvalsKey });
    void queryClient.invalidateQueries({ queryKey: ['requests'] });
  };
  const approval = useMutation({
    mutationFn: () =>
      approve(r, {
        ...(comment.trim() ? { comment: comment.trim() } : {}),
        ...(editing && changes.length > 0 ? { edits } : {}),
      }),
    onSuccess: done('approved'),
  });
  const rejection = useMutation({ mutationFn: () => reject(r, comment.trim()), onSuccess: done('rejected') });
  const { decided } = props;
  const error = approval.error ?? rejection.error;
  const stale = error instanceof ApiError && error.status === 409;
  const busy = approval.isPending || rejection.isPending;

  return (
    <div className={styles.page}>
      <header className={styles.header}>
        <BackLink />
        <Text as="h1" size={700} weight="semibold">
          {name}
        </Text>
      </header>
      {decided ? (
        <MessageBar intent="success">
          <MessageBarBody>
            {t(decided.kind === 'approved' ? 'decide.approved' : 'decide.rejected', { name: decided.name })}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {!pending && !decided ? (
        <MessageBar intent="info">
          <MessageBarBody>{t('page.notPending', { status: t(`status.${r.status}`) })}</MessageBarBody>
        </MessageBar>
      ) : null}
      <Details request={r} />
      {pending && !decided ? (
        <>
          <section className={styles.section} aria-labelledby="edit-heading">
            <Text as="h2" id="edit-heading" size={500} weight="semibold">
              {t('edit.title')}
            </Text>
            {stage?.allowEdit ? (
              <>
                <div className={styles.actions}>
                  <Button
                    onClick={() => {
                      if (editing) setForm(formOf(r));
                      setEditing(!editing);
                    }}
                  >
                    {editing ? t('edit.stop') : t('edit.start')}
                  </Button>
                </div>
                {editing ? <EditFields form={form} onChange={setForm} /> : null}
                {editing ? (
                  changes.length > 0 ? (
                    <DiffView
                      changes={changes.map((c) => ({ ...c, label: fieldLabel(t, c.field) }))}
                      labels={{
                        caption: t('diff.caption', { revision: r.revision }),
                        field: t('diff.field'),
                        before: t('diff.before'),
                        after: t('diff.after'),
                        empty: t('diff.empty'),
                      }}
                    />
                  ) : (
                    <Text className={styles.muted}>{t('edit.noChanges')}</Text>
                  )
                ) : null}
              </>
            ) : (
              <Text className={styles.muted}>{t('edit.notAllowed')}</Text>
            )}
          </section>
          <section className={styles.section} aria-labelledby="decide-heading">
            <Text as="h2" id="decide-heading" size={500} weight="semibold">
              {t('decide.title')}
            </Text>
            <Field
              label={t('decide.comment')}
              hint={t('decide.commentHint')}
              validationState={commentError ? 'error' : 'none'}
              validationMessage={commentError}
            >
              <Textarea value={comment} maxLength={4000} onChange={(_e, d) => setComment(d.value)} />
            </Field>
            {stale ? (
              <MessageBar intent="warning">
                <MessageBarBody>{t('decide.stale')}</MessageBarBody>
                <MessageBarActions>
                  <Button
                    onClick={() => void queryClient.invalidateQueries({ queryKey: ['request', r.requestId] })}
                  >
                    {t('decide.reload')}
                  </Button>
                </MessageBarActions>
              </MessageBar>
            ) : error ? (
              <ErrorState error={error} />
            ) : null}
            <div className={styles.actions}>
              <Button
                appearance="primary"
                disabled={busy || (editing && !form.name.trim())}
                onClick={() => {
                  setCommentError(undefined);
                  approval.mutate();
                }}
              >
                {editing && changes.length > 0 ? t('decide.approveWithEdits') : t('decide.approve')}
              </Button>
              <Button
                disabled={busy}
                onClick={() => {
                  if (!comment.trim()) {
                    setCommentError(t('decide.commentRequired'));
                    return;
                  }
                  setCommentError(undefined);
                  rejection.mutate();
                }}
              >
                {t('decide.reject')}
              </Button>
            </div>
          </section>
        </>
      ) : null}
    </div>
  );
}
