import { Button, makeStyles, Text, tokens } from '@fluentui/react-components';
import { EditRegular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import { useSession } from '../../../app/session.tsx';
import { useFormat, useMessages } from '../../../i18n/index.tsx';
import type { CatalogTemplate, FieldDefinition, RequestPreview } from '../api.ts';
import { messages } from '../messages.ts';
import type { Draft, MetaValue, StepId } from './draft.ts';

const useStyles = makeStyles({
  section: {
    display: 'grid',
    gap: tokens.spacingVerticalS,
    paddingBlock: tokens.spacingVerticalM,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  head: {
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
  },
  pairs: {
    display: 'grid',
    gridTemplateColumns: 'minmax(120px, max-content) minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  row: { display: 'contents' },
  term: { color: tokens.colorNeutralForeground2 },
  value: { margin: 0, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' },
});

function Section(props: {
  title: string;
  step?: StepId;
  onEdit: (step: StepId) => void;
  children: ReactNode;
}) {
  const t = useMessages(messages);
  const styles = useStyles();
  const { step } = props;
  return (
    <section className={styles.section}>
      <div className={styles.head}>
        <Text as="h3" size={400} weight="semibold">
          {props.title}
        </Text>
        {step ? (
          <Button
            appearance="subtle"
            icon={<EditRegular />}
            onClick={() => props.onEdit(step)}
            aria-label={t('review.editNamed', { section: props.title })}
          >
            {t('review.edit')}
          </Button>
        ) : null}
      </div>
      {props.children}
    </section>
  );
}

function Pairs(props: { rows: [string, ReactNode][] }) {
  const styles = useStyles();
  return (
    <dl className={styles.pairs}>
      {props.rows.map(([term, value]) => (
        <div key={term} className={styles.row}>
          <dt className={styles.term}>{term}</dt>
          <dd className={styles.value}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Review: everything the request will carry, with the server's final names and approvers. */
export function ReviewStep(props: {
  template: CatalogTemplate;
  draft: Draft;
  preview: RequestPreview | undefined;
  onEdit: (step: StepId) => void;
}) {
  const t = useMessages(messages);
  const format = useFormat();
  const { me } = useSession();
  const { template, draft, preview } = props;
  const none = t('review.none');

  const display = (field: FieldDefinition, value: MetaValue | undefined): string => {
    if (value === undefined || value === null || value === '') return none;
    if (typeof value === 'boolean') return value ? t('review.yes') : t('review.no');
    if (Array.isArray(value)) {
      const labels = value.map((v) => field.choices?.find((c) => c.value === v)?.label ?? v);
      return labels.length > 0 ? labels.join(', ') : none;
    }
    if (typeof value === 'object') return value.displayName;
    if (field.type === 'choice') return field.choices?.find((c) => c.value === value)?.label ?? value;
    if (field.type === 'date') return format.date(`${value}T12:00:00Z`);
    if (field.type === 'number' && Number.isFinite(Number(value))) return format.number(Number(value));
    return value;
  };

  const you = me.principal.displayName ?? t('review.you');
  const owners = [
    ...(template.document.addRequesterAsOwner ? [t('review.youNamed', { name: you })] : []),
    ...draft.owners.map((p) => p.displayName),
    ...(template.document.permanentOwners.length > 0
      ? [t('people.permanentOwners', { count: template.document.permanentOwners.length })]
      : []),
  ];
  const names = preview?.names;
  return (
    <>
      <Section title={t('review.template')} onEdit={props.onEdit}>
        <Pairs rows={[[t('review.templateName'), `${template.name} (v${template.version})`]]} />
      </Section>
      <Section title={t('review.names')} step="name" onEdit={props.onEdit}>
        <Pairs
          rows={[
            [t('name.label'), draft.name.trim()],
            [t('name.displayName'), names?.displayName ?? none],
            [t('name.mailNickname'), names?.mailNickname ?? none],
            [t('name.description'), draft.description.trim() || names?.description || none],
          ]}
        />
      </Section>
      <Section title={t('review.details')} step="details" onEdit={props.onEdit}>
        {template.metadataFields.length === 0 ? (
          <Text>{t('details.none')}</Text>
        ) : (
          <Pairs rows={template.metadataFields.map((f) => [f.label, display(f, draft.metadata[f.key])])} />
        )}
      </Section>
      <Section title={t('review.people')} step="people" onEdit={props.onEdit}>
        <Pairs
          rows={[
            [t('people.owners'), owners.join(', ') || none],
            [t('people.members'), draft.members.map((p) => p.displayName).join(', ') || none],
          ]}
        />
      </Section>
      <Section title={t('review.welcome')} step="welcome" onEdit={props.onEdit}>
        <Pairs
          rows={[
            [
              t('welcome.label'),
              draft.welcomeMessage.trim() ||
                (names?.welcomeMessage
                  ? t('review.templateMessage', { message: names.welcomeMessage })
                  : none),
            ],
          ]}
        />
      </Section>
      <Section title={t('review.approval')} onEdit={props.onEdit}>
        {!preview || preview.approval.length === 0 ? (
          <Text>{t('template.noApproval')}</Text>
        ) : (
          <Pairs
            rows={preview.approval.map((stage) => [
              stage.name,
              stage.error ??
                (stage.approvers.map((a) => a.displayName ?? a.userPrincipalName ?? a.id).join(', ') || none),
            ])}
          />
        )}
      </Section>
    </>
  );
}
