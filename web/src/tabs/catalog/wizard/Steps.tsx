import { Field, Link, makeStyles, Text, Textarea, tokens } from '@fluentui/react-components';
import { PeoplePicker } from '../../../components/PeoplePicker.tsx';
import { useSession } from '../../../app/session.tsx';
import { useMessages } from '../../../i18n/index.tsx';
import type { CatalogTemplate } from '../api.ts';
import { onRouterClick } from '../CatalogHome.tsx';
import { messages } from '../messages.ts';
import { TemplateIcon } from '../TemplateIcon.tsx';
import { type Draft, type Errors, type MetaValue, ownersNeeded, WELCOME_MAX } from './draft.ts';
import { MetadataField } from './MetadataField.tsx';

const useStyles = makeStyles({
  summary: { display: 'flex', gap: tokens.spacingHorizontalL, alignItems: 'flex-start', flexWrap: 'wrap' },
  summaryText: { display: 'grid', gap: tokens.spacingVerticalS, flex: '1 1 240px', minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground2 },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
});

/** Step 1: the template, chosen already; a way back to pick another. */
export function TemplateStep(props: { template: CatalogTemplate }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const { template } = props;
  return (
    <div className={styles.summary}>
      <TemplateIcon path={template.icon} size={64} />
      <div className={styles.summaryText}>
        <Text size={500} weight="semibold">
          {template.name}
        </Text>
        <Text>{template.description}</Text>
        <Text className={styles.muted}>
          {template.approvalStages === 0
            ? t('template.noApproval')
            : t('template.approvalStages', { count: template.approvalStages })}
        </Text>
        <Text>
          <Link href="/tabs/catalog" onClick={onRouterClick('/tabs/catalog')}>
            {t('wizard.changeTemplate')}
          </Link>
        </Text>
      </div>
    </div>
  );
}

/** Step 3: the metadata form generated from the template's fields. */
export function DetailsStep(props: {
  template: CatalogTemplate;
  draft: Draft;
  errors: Errors;
  onChange: (key: string, value: MetaValue) => void;
}) {
  const t = useMessages(messages);
  const { template, draft, errors } = props;
  if (template.metadataFields.length === 0) return <Text>{t('details.none')}</Text>;
  return (
    <>
      <Text>{t('details.intro')}</Text>
      {template.metadataFields.map((field) => (
        <MetadataField
          key={field.key}
          field={field}
          value={draft.metadata[field.key] ?? null}
          error={errors[`metadata.${field.key}`]}
          onChange={(value) => props.onChange(field.key, value)}
        />
      ))}
    </>
  );
}

/** Step 4: owners and members, picked from the directory. */
export function PeopleStep(props: {
  template: CatalogTemplate;
  draft: Draft;
  errors: Errors;
  onChange: (patch: Partial<Draft>) => void;
}) {
  const t = useMessages(messages);
  const styles = useStyles();
  const { me } = useSession();
  const { template, draft, errors } = props;
  const d = template.document;
  const needed = ownersNeeded(template, { ...draft, owners: [] });
  const notes = [
    ...(d.addRequesterAsOwner ? [t('people.youOwn')] : []),
    ...(d.permanentOwners.length > 0
      ? [t('people.permanentOwners', { count: d.permanentOwners.length })]
      : []),
    ...(d.permanentMembers.length > 0
      ? [t('people.permanentMembers', { count: d.permanentMembers.length })]
      : []),
    t('people.minimum', { count: d.minimumOwners }),
  ];
  return (
    <>
      <ul className={styles.list}>
        {notes.map((note) => (
          <li key={note}>
            <Text>{note}</Text>
          </li>
        ))}
      </ul>
      <PeoplePicker
        label={t('people.owners')}
        hint={needed > 0 ? t('people.ownersNeeded', { count: needed }) : t('people.ownersHint')}
        required={needed > 0}
        selected={draft.owners}
        exclude={[me.principal.id, ...draft.members.map((p) => p.id)]}
        validationMessage={errors.owners}
        onChange={(owners) => props.onChange({ owners })}
      />
      <PeoplePicker
        label={t('people.members')}
        hint={t('people.membersHint')}
        selected={draft.members}
        exclude={[me.principal.id, ...draft.owners.map((p) => p.id)]}
        validationMessage={errors.members}
        onChange={(members) => props.onChange({ members })}
      />
    </>
  );
}

/** Step 5: the message posted in the team once it exists. */
export function WelcomeStep(props: {
  draft: Draft;
  errors: Errors;
  templateMessage: string | undefined;
  onChange: (patch: Partial<Draft>) => void;
}) {
  const t = useMessages(messages);
  const { draft, errors } = props;
  return (
    <Field
      label={t('welcome.label')}
      hint={
        props.templateMessage
          ? t('welcome.hintWithDefault', { message: props.templateMessage })
          : t('welcome.hint')
      }
      validationMessage={errors.welcomeMessage}
      validationState={errors.welcomeMessage ? 'error' : 'none'}
    >
      <Textarea
        value={draft.welcomeMessage}
        maxLength={WELCOME_MAX}
        rows={5}
        resize="vertical"
        onChange={(_e, data) => props.onChange({ welcomeMessage: data.value })}
      />
    </Field>
  );
}
