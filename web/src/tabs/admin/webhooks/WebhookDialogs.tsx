import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  makeStyles,
  Switch,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { ApiError } from '../../../api/client.ts';
import { ErrorState, Loading } from '../../../components/states.tsx';
import { useMessages } from '../../../i18n/index.tsx';
import { messages } from '../messages.ts';
import { SecretOnce, SecretOnceBody } from '../tokens/SecretOnce.tsx';
import {
  useEventTypes,
  useSaveWebhook,
  useWebhookAction,
  type Webhook,
  type WebhookWithSecret,
} from './api.ts';

const useStyles = makeStyles({
  form: { display: 'grid', gap: tokens.spacingVerticalM },
  events: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 220px), 1fr))',
    maxHeight: '240px',
    overflowY: 'auto',
  },
});

const ALL = '*';

/** Create (then the secret, once) or edit a subscription: URL, description, events, active. */
export function WebhookDialog(props: { webhook?: Webhook; onClose: () => void }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const editing = props.webhook;
  const save = useSaveWebhook(editing?.webhookId);
  const eventTypes = useEventTypes();
  const [url, setUrl] = useState(editing?.url ?? 'https://');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [events, setEvents] = useState<string[]>(editing?.events ?? [ALL]);
  const [active, setActive] = useState(editing?.active ?? true);
  const [created, setCreated] = useState<WebhookWithSecret | null>(null);
  const [tried, setTried] = useState(false);
  const urlInvalid = !/^https:\/\/[^\s/]+/.test(url);
  const fieldError = (path: string) =>
    save.error instanceof ApiError
      ? save.error.fieldErrors.find((e) => e.path.includes(path))?.message
      : undefined;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (urlInvalid || events.length === 0) return;
    save.mutate(
      { url, events, description: description.trim() || null, active },
      {
        onSuccess: (result) => {
          if (!editing && 'secret' in result) setCreated(result as WebhookWithSecret);
          else props.onClose();
        },
      },
    );
  };
  const toggle = (name: string, on: boolean) =>
    setEvents((current) =>
      name === ALL
        ? on
          ? [ALL]
          : []
        : on
          ? [...current.filter((e) => e !== ALL), name]
          : current.filter((e) => e !== name),
    );

  return (
    <Dialog open modalType="alert" onOpenChange={(_e, d) => (d.open ? undefined : props.onClose())}>
      <DialogSurface>
        {created ? (
          <SecretOnceBody
            title={t('webhooks.createdTitle')}
            label={t('webhooks.secretLabel')}
            value={created.secret}
            onDone={props.onClose}
          />
        ) : (
          <form onSubmit={submit}>
            <DialogBody>
              <DialogTitle>{editing ? t('webhooks.editTitle') : t('webhooks.new')}</DialogTitle>
              <DialogContent className={styles.form}>
                <Field
                  label={t('webhooks.url')}
                  hint={t('webhooks.urlHint')}
                  required
                  validationMessage={
                    (tried && urlInvalid ? t('webhooks.urlInvalid') : undefined) ?? fieldError('url')
                  }
                >
                  <Input type="url" value={url} onChange={(_e, d) => setUrl(d.value)} />
                </Field>
                <Field label={t('webhooks.description')} validationMessage={fieldError('description')}>
                  <Textarea
                    value={description}
                    maxLength={500}
                    onChange={(_e, d) => setDescription(d.value)}
                  />
                </Field>
                <Field
                  label={t('webhooks.events')}
                  validationMessage={
                    (tried && events.length === 0 ? t('webhooks.eventsRequired') : undefined) ??
                    fieldError('events')
                  }
                >
                  {eventTypes.isPending ? (
                    <Loading />
                  ) : (
                    <div role="group" aria-label={t('webhooks.events')} className={styles.events}>
                      {(eventTypes.data ?? [ALL]).map((name) => (
                        <Checkbox
                          key={name}
                          label={name === ALL ? t('webhooks.allEvents') : name}
                          checked={events.includes(name)}
                          disabled={name !== ALL && events.includes(ALL)}
                          onChange={(_e, d) => toggle(name, d.checked === true)}
                        />
                      ))}
                    </div>
                  )}
                </Field>
                <Switch
                  label={t('webhooks.active')}
                  checked={active}
                  onChange={(_e, d) => setActive(d.checked)}
                />
                {save.error && !(save.error instanceof ApiError && save.error.fieldErrors.length) ? (
                  <ErrorState error={save.error} />
                ) : null}
              </DialogContent>
              <DialogActions>
                <Button type="button" onClick={props.onClose}>
                  {t('action.cancel')}
                </Button>
                <Button appearance="primary" type="submit" disabled={save.isPending}>
                  {editing ? t('action.save') : t('webhooks.create')}
                </Button>
              </DialogActions>
            </DialogBody>
          </form>
        )}
      </DialogSurface>
    </Dialog>
  );
}

/** Confirms a deletion or a secret rotation (whose new secret is then shown once). */
export function ConfirmWebhookDialog(props: {
  webhook: Webhook;
  kind: 'delete' | 'rotate';
  onClose: () => void;
  onDeleted?: () => void;
}) {
  const t = useMessages(messages);
  const action = useWebhookAction();
  const [secret, setSecret] = useState<string | null>(null);
  const run = () =>
    action.mutate(
      { kind: props.kind, webhookId: props.webhook.webhookId },
      {
        onSuccess: (result) => {
          if (props.kind === 'rotate' && result && 'secret' in result) setSecret(result.secret);
          else {
            props.onDeleted?.();
            props.onClose();
          }
        },
      },
    );
  return (
    <Dialog open modalType="alert" onOpenChange={(_e, d) => (d.open ? undefined : props.onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>
            {props.kind === 'delete' ? t('webhooks.deleteTitle') : t('webhooks.rotateTitle')}
          </DialogTitle>
          <DialogContent>
            {secret ? (
              <SecretOnce label={t('webhooks.secretLabel')} value={secret} />
            ) : props.kind === 'delete' ? (
              t('webhooks.deleteBody', { url: props.webhook.url })
            ) : (
              t('webhooks.rotateBody')
            )}
            {action.error ? <ErrorState error={action.error} /> : null}
          </DialogContent>
          <DialogActions>
            {secret ? (
              <Button appearance="primary" onClick={props.onClose}>
                {t('secret.done')}
              </Button>
            ) : (
              <>
                <Button onClick={props.onClose}>{t('action.cancel')}</Button>
                <Button appearance="primary" disabled={action.isPending} onClick={run}>
                  {props.kind === 'delete' ? t('action.delete') : t('webhooks.rotate')}
                </Button>
              </>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
