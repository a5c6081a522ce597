// Plan (dry run): the Graph operations provisioning the template would perform, nothing written.
import {
  Badge,
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
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState } from '../../../components/states.tsx';
import { useFormat, useMessages } from '../../../i18n/index.tsx';
import { type PlanResult, templateApi } from './api.ts';
import { FieldGrid, NumberField, TextField } from './form-parts.tsx';
import * as M from './messages.ts';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  scroll: { overflowX: 'auto' },
  path: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: 'anywhere',
  },
});

function PlanResultView(props: { plan: PlanResult }) {
  const t = useMessages(M);
  const styles = useStyles();
  const format = useFormat();
  const { plan } = props;
  return (
    <section aria-labelledby="template-plan-result">
      <h3 id="template-plan-result">
        {t('plan.resultTitle', { count: format.number(plan.operations.length), version: plan.version })}
      </h3>
      <Text block>
        {t('plan.names', { displayName: plan.names.displayName, mailNickname: plan.names.mailNickname })}
      </Text>
      {plan.warnings.map((w) => (
        <MessageBar key={w} intent="warning">
          <MessageBarBody>{w}</MessageBarBody>
        </MessageBar>
      ))}
      <div className={styles.scroll}>
        <Table size="small" aria-labelledby="template-plan-result">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>#</TableHeaderCell>
              <TableHeaderCell>{t('plan.step')}</TableHeaderCell>
              <TableHeaderCell>{t('plan.request')}</TableHeaderCell>
              <TableHeaderCell>{t('plan.description')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {plan.operations.map((op, i) => (
              <TableRow key={i}>
                <TableCell>{i + 1}</TableCell>
                <TableCell>{op.step}</TableCell>
                <TableCell>
                  <span className={styles.path}>
                    <Badge appearance="outline">{op.method}</Badge> {op.path}
                  </span>
                </TableCell>
                <TableCell>
                  {op.description}
                  {op.warning ? (
                    <Text block weight="semibold">
                      {t('plan.warning', { warning: op.warning })}
                    </Text>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </section>
  );
}

export function PlanPanel(props: { templateId: string; current: number; dirty: boolean }) {
  const t = useMessages(M);
  const styles = useStyles();
  const [name, setName] = useState('');
  const [requester, setRequester] = useState('');
  const [version, setVersion] = useState<number | undefined>(undefined);
  const run = useMutation({
    mutationFn: () =>
      templateApi.plan(props.templateId, {
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(requester.trim() ? { requester: requester.trim() } : {}),
        ...(version ? { version } : {}),
      }),
  });
  return (
    <div className={styles.root}>
      <Text>{t('plan.intro')}</Text>
      {props.dirty ? (
        <MessageBar intent="info">
          <MessageBarBody>{t('plan.unsaved')}</MessageBarBody>
        </MessageBar>
      ) : null}
      <FieldGrid>
        <TextField
          label={t('plan.sampleName')}
          placeholder={t('plan.sampleNamePlaceholder')}
          value={name}
          onChange={setName}
        />
        <TextField
          label={t('plan.requester')}
          hint={t('plan.requesterHint')}
          value={requester}
          onChange={setRequester}
        />
        <NumberField
          label={t('plan.version')}
          hint={t('plan.versionHint', { current: props.current })}
          min={1}
          max={props.current}
          value={version}
          onChange={setVersion}
        />
      </FieldGrid>
      <div>
        <Button appearance="primary" disabled={run.isPending} onClick={() => run.mutate()}>
          {run.isPending ? t('plan.running') : t('plan.run')}
        </Button>
      </div>
      <div aria-live="polite">{run.data ? <PlanResultView plan={run.data} /> : null}</div>
      {run.error ? <ErrorState error={run.error} /> : null}
    </div>
  );
}
