// The template editor: one draft edited in a form or as JSON/YAML, checked live against the schema
// on the server, saved as a new version; plus history with diffs, assets, plan and status.
import {
  Badge,
  Button,
  Field,
  Input,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Tab,
  TabList,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowLeftRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../../api/client.ts';
import { navigate, useTabPath } from '../../../app/router.ts';
import { ErrorState, QueryView } from '../../../components/states.tsx';
import { useMessages } from '../../../i18n/index.tsx';
import {
  type Issue,
  issuesOfError,
  type SaveResult,
  type Template,
  templateApi,
  templateKeys,
  type TemplateStatus,
  useTemplate,
  useTenantFields,
} from './api.ts';
import { AssetsPanel } from './AssetsPanel.tsx';
import { CodeView } from './CodeView.tsx';
import { canShowInForm, withDefaults } from './document-defaults.ts';
import type { CodeFormat } from './document-text.ts';
import { IssuesContext } from './form-parts.tsx';
import { HistoryPanel } from './HistoryPanel.tsx';
import * as M from './messages.ts';
import { PlanPanel } from './PlanPanel.tsx';
import { TemplateForm } from './TemplateForm.tsx';

const VIEWS = ['form', 'code', 'history', 'assets', 'plan'] as const;
type View = (typeof VIEWS)[number];

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  header: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM },
  title: { margin: 0, flexGrow: 1, minWidth: 0, overflowWrap: 'anywhere' },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  tabs: { overflowX: 'auto' },
  saveBar: {
    position: 'sticky',
    bottom: 0,
    zIndex: 1,
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'end',
    gap: tokens.spacingHorizontalM,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground1,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    boxShadow: tokens.shadow4,
  },
  comment: { flexGrow: 1, minWidth: 'min(100%, 220px)' },
});

const STATUS_COLOR: Record<TemplateStatus, 'success' | 'warning' | 'informative'> = {
  active: 'success',
  disabled: 'warning',
  archived: 'informative',
};

/** The first message per JSON Pointer. */
function issueMap(issues: readonly Issue[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const issue of issues) if (!map.has(issue.path)) map.set(issue.path, issue.message);
  return map;
}

function StatusActions(props: { template: Template; onChanged: (t: Template) => void }) {
  const t = useMessages(M);
  const styles = useStyles();
  const change = useMutation({
    mutationFn: (status: TemplateStatus) => templateApi.setStatus(props.template.templateId, status),
    onSuccess: props.onChanged,
  });
  const { status } = props.template;
  return (
    <div className={styles.actions}>
      {status !== 'active' ? (
        <Button appearance="primary" disabled={change.isPending} onClick={() => change.mutate('active')}>
          {t('status.publish')}
        </Button>
      ) : (
        <Button disabled={change.isPending} onClick={() => change.mutate('disabled')}>
          {t('status.disable')}
        </Button>
      )}
      {status !== 'archived' ? (
        <Button disabled={change.isPending} onClick={() => change.mutate('archived')}>
          {t('status.archive')}
        </Button>
      ) : null}
      {change.error ? <ErrorState error={change.error} /> : null}
    </div>
  );
}

function Editor(props: { template: Template; view: View }) {
  const t = useMessages(M);
  const styles = useStyles();
  const queryClient = useQueryClient();
  const fields = useTenantFields();
  const { template, view } = props;
  const id = template.templateId;
  const [base, setBase] = useState({
    version: template.currentVersion,
    document: template.document as unknown,
  });
  const [draft, setDraft] = useState<unknown>(template.document);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [validating, setValidating] = useState(false);
  const [codeBroken, setCodeBroken] = useState(false);
  const [format, setFormat] = useState<CodeFormat>('yaml');
  const [comment, setComment] = useState('');
  const [saved, setSaved] = useState<SaveResult | null>(null);
  const baseText = useMemo(() => JSON.stringify(base.document), [base]);
  const dirty = useMemo(() => JSON.stringify(draft) !== baseText, [draft, baseText]);

  // Someone (another tab, a rollback, an upload) made a newer version: follow it unless editing.
  useEffect(() => {
    if (template.currentVersion !== base.version && !dirty) {
      setBase({ version: template.currentVersion, document: template.document });
      setDraft(template.document);
      setIssues([]);
    }
  }, [template, base.version, dirty]);

  // Live schema check of the draft, a moment after the last change.
  useEffect(() => {
    if (!dirty) {
      setIssues([]);
      return undefined;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      setValidating(true);
      templateApi
        .validate(draft)
        .then((result) => {
          if (!controller.signal.aborted) setIssues(result.issues);
        })
        .catch((error: unknown) => {
          if (!controller.signal.aborted) setIssues(issuesOfError(error));
        })
        .finally(() => {
          if (!controller.signal.aborted) setValidating(false);
        });
    }, 500);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [draft, dirty]);

  const adopt = useCallback(
    (result: SaveResult) => {
      queryClient.setQueryData(templateKeys.one(id), result.template);
      void queryClient.invalidateQueries({ queryKey: templateKeys.all });
      setBase({ version: result.template.currentVersion, document: result.template.document });
      setDraft(result.template.document);
      setIssues([]);
    },
    [id, queryClient],
  );

  const save = useMutation({
    mutationFn: () => templateApi.save(id, draft, base.version, comment.trim()),
    onSuccess: (result) => {
      setSaved(result);
      setComment('');
      adopt(result);
    },
    onError: (error) => setIssues(issuesOfError(error)),
  });

  const onCodeBroken = useCallback((broken: boolean) => setCodeBroken(broken), []);
  const issueIndex = useMemo(() => issueMap(issues), [issues]);
  const editing = view === 'form' || view === 'code';
  const assetNames = template.assets.map((a) => a.name);

  return (
    <div className={styles.root}>
      <div className={styles.header}>
        <h2 className={styles.title}>{template.name}</h2>
        <Badge appearance="tint" color={STATUS_COLOR[template.status]}>
          {t(`status.${template.status}`)}
        </Badge>
        <Text>{t('editor.version', { version: template.currentVersion })}</Text>
        <StatusActions
          template={template}
          onChanged={(next) => {
            queryClient.setQueryData(templateKeys.one(id), next);
            void queryClient.invalidateQueries({ queryKey: templateKeys.all });
          }}
        />
      </div>
      <div className={styles.tabs}>
        <TabList
          selectedValue={view}
          aria-label={t('editor.views')}
          onTabSelect={(_e, data) =>
            navigate(`/tabs/admin/templates/${encodeURIComponent(template.slug)}/${String(data.value)}`)
          }
        >
          {VIEWS.map((v) => (
            <Tab key={v} value={v}>
              {t(`view.${v}`)}
            </Tab>
          ))}
        </TabList>
      </div>
      <IssuesContext.Provider value={issueIndex}>
        {view === 'form' ? (
          canShowInForm(draft) ? (
            <TemplateForm
              doc={withDefaults(draft)}
              onChange={setDraft}
              assetNames={assetNames}
              fields={fields.data?.items ?? []}
            />
          ) : (
            <MessageBar intent="warning">
              <MessageBarBody>{t('editor.notAnObject')}</MessageBarBody>
            </MessageBar>
          )
        ) : null}
        {view === 'code' ? (
          <CodeView
            doc={draft}
            issues={issues}
            validating={validating}
            format={format}
            onFormat={setFormat}
            onDocument={setDraft}
            onSyntaxError={onCodeBroken}
          />
        ) : null}
      </IssuesContext.Provider>
      {view === 'history' ? (
        <HistoryPanel templateId={id} current={template.currentVersion} onSaved={adopt} />
      ) : null}
      {view === 'assets' ? <AssetsPanel template={template} onSaved={adopt} /> : null}
      {view === 'plan' ? <PlanPanel templateId={id} current={template.currentVersion} dirty={dirty} /> : null}
      {editing || dirty ? (
        <div className={styles.saveBar}>
          <Field label={t('editor.comment')} className={styles.comment}>
            <Input value={comment} onChange={(_e, d) => setComment(d.value)} maxLength={1000} />
          </Field>
          <Button
            appearance="primary"
            disabled={!dirty || codeBroken || save.isPending}
            onClick={() => {
              setSaved(null);
              save.mutate();
            }}
          >
            {save.isPending ? t('editor.saving') : t('editor.save')}
          </Button>
          <Button disabled={!dirty || save.isPending} onClick={() => setDraft(base.document)}>
            {t('editor.discard')}
          </Button>
          <div role="status" aria-live="polite">
            {dirty ? (
              <Text>
                {validating
                  ? t('code.validating')
                  : issues.length
                    ? t('editor.unsavedIssues', { count: issues.length })
                    : t('editor.unsaved')}
              </Text>
            ) : saved ? (
              <Text>
                {saved.changed
                  ? t('editor.saved', { version: saved.template.currentVersion })
                  : t('editor.noChange')}
              </Text>
            ) : null}
          </div>
        </div>
      ) : null}
      {save.error && !(save.error instanceof ApiError && save.error.status === 400) ? (
        <ErrorState
          error={save.error}
          title={
            save.error instanceof ApiError && save.error.status === 409 ? t('editor.conflict') : undefined
          }
        />
      ) : null}
      {save.error instanceof ApiError && save.error.status === 400 ? (
        <MessageBar intent="error">
          <MessageBarBody>{t('editor.refused', { message: save.error.message })}</MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
}

/** /tabs/admin/templates/<id or slug>[/<view>]. */
export function TemplateEditor() {
  const t = useMessages(M);
  const [, idOrSlug = '', rawView] = useTabPath();
  const view: View = (VIEWS as readonly string[]).includes(rawView ?? '') ? (rawView as View) : 'form';
  const template = useTemplate(idOrSlug);
  return (
    <>
      <Link
        href="/tabs/admin/templates"
        onClick={(e) => {
          e.preventDefault();
          navigate('/tabs/admin/templates');
        }}
      >
        <ArrowLeftRegular aria-hidden="true" /> {t('editor.back')}
      </Link>
      <QueryView query={template}>
        {(found) => <Editor key={found.templateId} template={found} view={view} />}
      </QueryView>
    </>
  );
}
