// Naming rules (Liquid) with a live preview for sample inputs: names, Microsoft's limits, conflicts
// with existing groups; rules loaded from a template can be saved back as a new version.
import {
  Button,
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
  tokens,
} from '@fluentui/react-components';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useLocation } from '../../../app/router.ts';
import { ErrorState } from '../../../components/states.tsx';
import { useMessages } from '../../../i18n/index.tsx';
import {
  issuesOfError,
  type NamingRules,
  type Template,
  templateApi,
  templateKeys,
  useTemplateList,
  useTenantFields,
} from '../templates/api.ts';
import { FieldGrid, IssuesContext, optional, SelectField, TextField } from '../templates/form-parts.tsx';
import { policyApi } from './api.ts';
import * as M from './messages.ts';
import { metadataOf, SampleMetadata, type SampleValues } from './SampleMetadata.tsx';
import { useDebounced } from './use-debounced.ts';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  title: { margin: 0 },
  scroll: { overflowX: 'auto' },
  value: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
});

const DEFAULT_RULES: NamingRules = { displayName: '{{ request.name }}' };

/** Whether two rule sets are the same (absent and empty alike). */
function sameRules(a: NamingRules, b: NamingRules): boolean {
  const keys = ['displayName', 'mailNickname', 'description', 'welcomeMessage'] as const;
  return keys.every((k) => (a[k] ?? '') === (b[k] ?? ''));
}

export function NamingRuleEditor() {
  const t = useMessages(M);
  const styles = useStyles();
  const queryClient = useQueryClient();
  const { query } = useLocation();
  const templates = useTemplateList('');
  const tenantFields = useTenantFields();
  const [slug, setSlug] = useState(query.get('template') ?? '');
  const [rules, setRules] = useState<NamingRules>(DEFAULT_RULES);
  const [name, setName] = useState('Apollo');
  const [requester, setRequester] = useState('');
  const [values, setValues] = useState<SampleValues>({});
  const template: Template | undefined = templates.data?.items.find((x) => x.slug === slug);

  // Choosing a template loads its rules.
  useEffect(() => {
    if (template) setRules(template.document.naming);
  }, [template]);

  const fields = useMemo(() => {
    const tenant = (tenantFields.data?.items ?? []).filter(
      (f) => f.status === 'active' && (f.appliesTo === null || (slug !== '' && f.appliesTo.includes(slug))),
    );
    return [...tenant, ...(template?.document.metadataFields ?? [])];
  }, [tenantFields.data, template, slug]);

  const changed = template !== undefined && !sameRules(template.document.naming, rules);
  // A template's rules (as saved, or the draft) render with its metadata fields.
  const input = useDebounced(
    {
      ...(template ? { template: template.slug } : {}),
      ...(!template || changed ? { rules } : {}),
      name: name.trim() || 'Apollo',
      metadata: metadataOf(fields, values),
      ...(requester.trim() ? { requester: requester.trim() } : {}),
    },
    400,
  );
  const preview = useQuery({
    queryKey: ['admin', 'naming-preview', input],
    queryFn: () => policyApi.preview(input),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const issues = new Map(issuesOfError(preview.error).map((i) => [i.path, i.message]));

  const save = useMutation({
    mutationFn: (target: Template) =>
      templateApi.save(
        target.templateId,
        { ...target.document, naming: rules },
        target.currentVersion,
        t('naming.saveComment'),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: templateKeys.all }),
  });
  const setRule = (key: keyof NamingRules, v: string) =>
    setRules({ ...rules, [key]: key === 'displayName' ? v : optional(v) });
  const result = preview.data;

  return (
    <section className={styles.root} aria-labelledby="naming-title">
      <h3 id="naming-title" className={styles.title}>
        {t('naming.title')}
      </h3>
      <Text>{t('naming.intro')}</Text>
      <SelectField
        label={t('naming.template')}
        value={slug}
        options={[
          { value: '', label: t('naming.custom') },
          ...(templates.data?.items ?? []).map((x) => ({ value: x.slug, label: x.name })),
        ]}
        onChange={(v) => {
          save.reset();
          setSlug(v);
          if (v === '') setRules(DEFAULT_RULES);
        }}
      />
      <IssuesContext.Provider value={issues}>
        <TextField
          label={t('naming.displayName')}
          required
          mono
          multiline
          rows={2}
          value={rules.displayName}
          path="/naming/displayName"
          onChange={(v) => setRule('displayName', v)}
        />
        <TextField
          label={t('naming.mailNickname')}
          mono
          multiline
          rows={2}
          value={rules.mailNickname}
          path="/naming/mailNickname"
          onChange={(v) => setRule('mailNickname', v)}
        />
        <TextField
          label={t('naming.description')}
          mono
          multiline
          rows={2}
          value={rules.description}
          path="/naming/description"
          onChange={(v) => setRule('description', v)}
        />
        <TextField
          label={t('naming.welcomeMessage')}
          mono
          multiline
          rows={2}
          value={rules.welcomeMessage}
          path="/naming/welcomeMessage"
          onChange={(v) => setRule('welcomeMessage', v)}
        />
      </IssuesContext.Provider>
      {template ? (
        <div className={styles.actions}>
          <Button
            appearance="primary"
            disabled={!changed || save.isPending}
            onClick={() => save.mutate(template)}
          >
            {save.isPending ? t('naming.saving') : t('naming.save', { name: template.name })}
          </Button>
          <div role="status" aria-live="polite">
            {save.isSuccess ? (
              <Text>{t('naming.saved', { version: save.data.template.currentVersion })}</Text>
            ) : null}
          </div>
        </div>
      ) : null}
      {save.error ? <ErrorState error={save.error} /> : null}
      <FieldGrid>
        <TextField label={t('naming.sampleName')} value={name} onChange={setName} />
        <TextField
          label={t('naming.requester')}
          hint={t('naming.requesterHint')}
          value={requester}
          onChange={setRequester}
        />
      </FieldGrid>
      <SampleMetadata fields={fields} values={values} onChange={setValues} />
      <section aria-labelledby="naming-preview-title" aria-busy={preview.isFetching}>
        <h4 id="naming-preview-title" className={styles.title}>
          {t('naming.previewTitle')}
        </h4>
        <div role="status" aria-live="polite">
          {preview.error ? (
            <MessageBar intent="error">
              <MessageBarBody>
                {t('naming.previewError', { message: (preview.error as Error).message })}
                <ul>
                  {issuesOfError(preview.error).map((i) => (
                    <li key={i.path}>{t('naming.issue', { path: i.path, message: i.message })}</li>
                  ))}
                </ul>
              </MessageBarBody>
            </MessageBar>
          ) : result?.names ? (
            <div className={styles.scroll}>
              <Table size="small" aria-labelledby="naming-preview-title">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{t('naming.field')}</TableHeaderCell>
                    <TableHeaderCell>{t('naming.value')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {(['displayName', 'mailNickname', 'description', 'welcomeMessage'] as const).map((k) =>
                    result.names?.[k] !== undefined ? (
                      <TableRow key={k}>
                        <TableCell>{t(`naming.${k}`)}</TableCell>
                        <TableCell>
                          <span className={styles.value}>{result.names[k]}</span>
                        </TableCell>
                      </TableRow>
                    ) : null,
                  )}
                </TableBody>
              </Table>
            </div>
          ) : (
            <Text>{preview.isFetching ? t('naming.previewing') : t('naming.noNames')}</Text>
          )}
          {result?.violations.map((v, i) => (
            <MessageBar key={`v${i}`} intent="warning">
              <MessageBarBody>{t('naming.violation', { field: v.field, message: v.message })}</MessageBarBody>
            </MessageBar>
          ))}
          {result?.conflicts.map((c, i) => (
            <MessageBar key={`c${i}`} intent="warning">
              <MessageBarBody>
                {t('naming.conflict', {
                  field: c.field,
                  group: `${c.group.displayName} (${c.group.mailNickname})`,
                })}
              </MessageBarBody>
            </MessageBar>
          ))}
          {result && result.proposedMailNickname && result.conflicts.length ? (
            <Text block>{t('naming.proposed', { nickname: result.proposedMailNickname })}</Text>
          ) : null}
          {result && !preview.error && result.violations.length === 0 && result.conflicts.length === 0 ? (
            <Text block>{t('naming.allGood')}</Text>
          ) : null}
        </div>
      </section>
    </section>
  );
}
