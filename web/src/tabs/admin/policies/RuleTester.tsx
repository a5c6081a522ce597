// The CEL rule tester: an audience or approver rule tried against a directory user with sample
// request metadata (POST /rules/test), with the compile or run-time error at its position.
import {
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Field,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSession } from '../../../app/session.tsx';
import { ErrorState } from '../../../components/states.tsx';
import { useFormat, useMessages } from '../../../i18n/index.tsx';
import { type Template, useTemplateList, useTenantFields } from '../templates/api.ts';
import { FieldGrid, SelectField, TextField } from '../templates/form-parts.tsx';
import { policyApi, type RuleKind, type RuleTestResult } from './api.ts';
import * as M from './messages.ts';
import { metadataOf, SampleMetadata, type SampleValues } from './SampleMetadata.tsx';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  title: { margin: 0 },
  scroll: { overflowX: 'auto' },
  pointer: {
    margin: 0,
    padding: tokens.spacingHorizontalS,
    fontFamily: tokens.fontFamilyMonospace,
    backgroundColor: tokens.colorNeutralBackground3,
    overflowX: 'auto',
  },
});

/** Rules found in the templates, to load into the tester. */
interface KnownRule {
  id: string;
  label: string;
  kind: RuleKind;
  expression: string;
  slug: string;
}

function rulesOf(
  templates: readonly Template[],
  t: (k: 'tester.audienceOf' | 'tester.approverOf', v: Record<string, string>) => string,
): KnownRule[] {
  return templates.flatMap((tpl) => [
    {
      id: `${tpl.slug}:audience`,
      label: t('tester.audienceOf', { name: tpl.name }),
      kind: 'audience' as const,
      expression: tpl.document.audience.rule,
      slug: tpl.slug,
    },
    ...tpl.document.approval.stages.flatMap((stage, s) =>
      stage.approvers.flatMap((a, i) =>
        a.type === 'rule'
          ? [
              {
                id: `${tpl.slug}:${s}:${i}`,
                label: t('tester.approverOf', { name: tpl.name, stage: stage.name }),
                kind: 'approver' as const,
                expression: a.expression,
                slug: tpl.slug,
              },
            ]
          : [],
      ),
    ),
  ]);
}

function Outcome(props: { result: RuleTestResult; expression: string }) {
  const t = useMessages(M);
  const styles = useStyles();
  const format = useFormat();
  const { result } = props;
  const position = result.error?.details?.position;
  const line = position ? props.expression.split('\n')[position.line - 1] : undefined;
  const user = result.user;
  const attributes: [string, string][] = [
    ['id', user.id],
    ['displayName', user.displayName ?? ''],
    ['mail', user.mail ?? ''],
    ['department', user.department ?? ''],
    ['country', user.country ?? ''],
    ['jobTitle', user.jobTitle ?? ''],
    ['officeLocation', user.officeLocation ?? ''],
    ['userType', user.userType ?? ''],
    ['groupNames', (user.groupNames ?? []).join(', ')],
    ['roles', (user.roles ?? []).join(', ')],
  ];
  const verdict = !result.valid
    ? t('tester.invalid')
    : result.kind === 'audience'
      ? result.allowed
        ? t('tester.allowed')
        : t('tester.denied')
      : result.approvers
        ? t('tester.approvers', { approvers: result.approvers.join(', ') })
        : t('tester.noApprovers');
  return (
    <section aria-labelledby="rule-result-title" className={styles.root}>
      <h4 id="rule-result-title" className={styles.title}>
        {t('tester.resultTitle')}
      </h4>
      <MessageBar
        intent={result.error ? 'error' : result.allowed === false ? 'warning' : 'success'}
        layout="multiline"
      >
        <MessageBarBody>
          <MessageBarTitle>{verdict}</MessageBarTitle>
          {result.error ? result.error.message : null}{' '}
          {t('tester.duration', { ms: format.number(result.durationMs) })}
        </MessageBarBody>
      </MessageBar>
      {position && line !== undefined ? (
        <pre
          className={styles.pointer}
          aria-label={t('tester.position', { line: position.line, column: position.column })}
        >
          {`${line}\n${' '.repeat(Math.max(0, position.column - 1))}^ ${t('tester.position', { line: position.line, column: position.column })}`}
        </pre>
      ) : null}
      <div className={styles.scroll}>
        <Table size="small" aria-labelledby="rule-user-title">
          <caption id="rule-user-title">{t('tester.userTitle')}</caption>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t('tester.attribute')}</TableHeaderCell>
              <TableHeaderCell>{t('tester.value')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {attributes.map(([k, v]) => (
              <TableRow key={k}>
                <TableCell>
                  <code>{result.kind === 'audience' ? `user.${k}` : `request.requester.${k}`}</code>
                </TableCell>
                <TableCell>{v || '—'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </section>
  );
}

export function RuleTester() {
  const t = useMessages(M);
  const styles = useStyles();
  const session = useSession();
  const templates = useTemplateList('');
  const tenantFields = useTenantFields();
  const [kind, setKind] = useState<RuleKind>('audience');
  const [expression, setExpression] = useState("user.department == 'Sales'");
  const [user, setUser] = useState(session.me.principal.userPrincipalName ?? '');
  const [slug, setSlug] = useState('');
  const [loaded, setLoaded] = useState('');
  const [values, setValues] = useState<SampleValues>({});
  const known = useMemo(() => rulesOf(templates.data?.items ?? [], t), [templates.data, t]);
  const template = templates.data?.items.find((x) => x.slug === slug);
  const fields = useMemo(
    () => [
      ...(tenantFields.data?.items ?? []).filter(
        (f) => f.status === 'active' && (f.appliesTo === null || (slug !== '' && f.appliesTo.includes(slug))),
      ),
      ...(template?.document.metadataFields ?? []),
    ],
    [tenantFields.data, template, slug],
  );
  const run = useMutation({
    mutationFn: () =>
      policyApi.testRule({
        kind,
        expression,
        user: user.trim(),
        ...(slug ? { templateSlug: slug } : {}),
        ...(kind === 'approver' ? { metadata: metadataOf(fields, values) } : {}),
      }),
  });
  return (
    <section className={styles.root} aria-labelledby="tester-title">
      <h3 id="tester-title" className={styles.title}>
        {t('tester.title')}
      </h3>
      <Text>{t('tester.intro')}</Text>
      <SelectField
        label={t('tester.load')}
        value={loaded}
        options={[
          { value: '', label: t('tester.loadNone') },
          ...known.map((r) => ({ value: r.id, label: r.label })),
        ]}
        onChange={(id) => {
          setLoaded(id);
          const rule = known.find((r) => r.id === id);
          if (rule) {
            setKind(rule.kind);
            setExpression(rule.expression);
            setSlug(rule.slug);
            run.reset();
          }
        }}
      />
      <Field label={t('tester.kind')}>
        <RadioGroup layout="horizontal" value={kind} onChange={(_e, d) => setKind(d.value as RuleKind)}>
          <Radio value="audience" label={t('tester.kindAudience')} />
          <Radio value="approver" label={t('tester.kindApprover')} />
        </RadioGroup>
      </Field>
      <TextField
        label={t('tester.expression')}
        required
        mono
        multiline
        rows={3}
        hint={kind === 'audience' ? t('tester.audienceHint') : t('tester.approverHint')}
        value={expression}
        onChange={setExpression}
      />
      <FieldGrid>
        <TextField
          label={t('tester.user')}
          required
          hint={t('tester.userHint')}
          value={user}
          onChange={setUser}
        />
        <SelectField
          label={t('tester.template')}
          value={slug}
          options={[
            { value: '', label: t('tester.noTemplate') },
            ...(templates.data?.items ?? []).map((x) => ({ value: x.slug, label: x.name })),
          ]}
          onChange={setSlug}
        />
      </FieldGrid>
      {kind === 'approver' ? <SampleMetadata fields={fields} values={values} onChange={setValues} /> : null}
      <div>
        <Button
          appearance="primary"
          disabled={!expression.trim() || !user.trim() || run.isPending}
          onClick={() => run.mutate()}
        >
          {run.isPending ? t('tester.running') : t('tester.run')}
        </Button>
      </div>
      <div aria-live="polite">{run.data ? <Outcome result={run.data} expression={expression} /> : null}</div>
      {run.error ? <ErrorState error={run.error} /> : null}
    </section>
  );
}
