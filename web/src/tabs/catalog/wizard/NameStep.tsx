import {
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { ApiError } from '../../../api/client.ts';
import { useMessages } from '../../../i18n/index.tsx';
import type { RequestPreview } from '../api.ts';
import { messages } from '../messages.ts';
import { DESCRIPTION_MAX, type Draft, type Errors, NAME_MAX } from './draft.ts';

const useStyles = makeStyles({
  preview: {
    display: 'grid',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  names: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  value: { margin: 0, overflowWrap: 'anywhere', fontFamily: tokens.fontFamilyMonospace },
});

/** The live preview state of the name step. */
export interface NamePreviewState {
  /** The name the preview is for (the debounced input). */
  name: string;
  data: RequestPreview | undefined;
  isFetching: boolean;
  error: unknown;
}

function PreviewPanel(props: { preview: NamePreviewState; typing: boolean }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const { preview } = props;
  if (!preview.name) return <Text>{t('name.previewEmpty')}</Text>;
  if (preview.error && !(preview.error instanceof ApiError && preview.error.status === 400)) {
    return (
      <MessageBar intent="error">
        <MessageBarBody>
          {t('name.previewFailed', {
            message: preview.error instanceof Error ? preview.error.message : String(preview.error),
          })}
        </MessageBarBody>
      </MessageBar>
    );
  }
  const data = preview.data;
  const checking = props.typing || preview.isFetching;
  const conflicts = data?.conflicts ?? [];
  return (
    <>
      {checking ? <Spinner size="tiny" label={t('name.checking')} labelPosition="after" /> : null}
      {data?.names ? (
        <dl className={styles.names}>
          <dt>{t('name.displayName')}</dt>
          <dd className={styles.value}>{data.names.displayName}</dd>
          <dt>{t('name.mailNickname')}</dt>
          <dd className={styles.value}>{data.names.mailNickname}</dd>
        </dl>
      ) : null}
      {!checking && data && data.violations.length > 0 ? (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{t('name.violations')}</MessageBarTitle>
            {data.violations.map((v) => v.message).join(' ')}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {!checking && conflicts.length > 0 ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{t('name.conflictTitle')}</MessageBarTitle>
            {conflicts
              .map((c) =>
                t(c.field === 'mailNickname' ? 'name.conflictNickname' : 'name.conflictDisplayName', {
                  group: c.group.displayName,
                  nickname: c.group.mailNickname,
                }),
              )
              .join(' ')}{' '}
            {data?.proposedMailNickname && conflicts.some((c) => c.field === 'mailNickname')
              ? t('name.proposed', { nickname: data.proposedMailNickname })
              : null}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {!checking && data?.names && conflicts.length === 0 && data.violations.length === 0 ? (
        <MessageBar intent="success">
          <MessageBarBody>{t('name.available')}</MessageBarBody>
        </MessageBar>
      ) : null}
    </>
  );
}

/** The team's name with the live naming preview and conflict check, and an optional description. */
export function NameStep(props: {
  draft: Draft;
  errors: Errors;
  preview: NamePreviewState;
  /** The preview stands in for details the next step asks for. */
  standIns: boolean;
  onChange: (patch: Partial<Draft>) => void;
}) {
  const t = useMessages(messages);
  const styles = useStyles();
  const { draft, errors } = props;
  const typing = draft.name.trim() !== props.preview.name;
  return (
    <>
      <Field
        label={t('name.label')}
        required
        hint={t('name.hint')}
        validationMessage={errors.name}
        validationState={errors.name ? 'error' : 'none'}
      >
        <Input
          value={draft.name}
          maxLength={NAME_MAX}
          onChange={(_e, data) => props.onChange({ name: data.value })}
        />
      </Field>
      <section className={styles.preview} aria-labelledby="name-preview" aria-live="polite">
        <Text as="h3" weight="semibold" id="name-preview">
          {t('name.preview')}
        </Text>
        <PreviewPanel preview={props.preview} typing={typing} />
        {props.standIns ? <Text size={200}>{t('name.standIns')}</Text> : null}
      </section>
      <Field
        label={t('name.description')}
        hint={t('name.descriptionHint')}
        validationMessage={errors.description}
        validationState={errors.description ? 'error' : 'none'}
      >
        <Textarea
          value={draft.description}
          maxLength={DESCRIPTION_MAX}
          resize="vertical"
          onChange={(_e, data) => props.onChange({ description: data.value })}
        />
      </Field>
    </>
  );
}
