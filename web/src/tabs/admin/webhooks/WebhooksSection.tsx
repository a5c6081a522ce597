import {
  Badge,
  Button,
  Link,
  makeStyles,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarBody,
  Select,
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
import { AddRegular, ArrowLeftRegular, MoreHorizontalRegular } from '@fluentui/react-icons';
import { useId, useState } from 'react';
import { navigate, useTabPath } from '../../../app/router.ts';
import { EmptyState, ErrorState, QueryView } from '../../../components/states.tsx';
import { useFormat, useMessages } from '../../../i18n/index.tsx';
import { messages } from '../messages.ts';
import {
  type Delivery,
  type DeliveryStatus,
  useDeliveries,
  useWebhook,
  useWebhookAction,
  useWebhooks,
  type Webhook,
} from './api.ts';
import { ConfirmWebhookDialog, WebhookDialog } from './WebhookDialogs.tsx';

const useStyles = makeStyles({
  section: { display: 'grid', gap: tokens.spacingVerticalL },
  header: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  grow: { flexGrow: 1, minWidth: 0 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'end' },
  scroll: { overflowX: 'auto' },
  muted: { color: tokens.colorNeutralForeground2 },
  url: { wordBreak: 'break-all' },
});

const BASE = '/tabs/admin/webhooks';

function routerLink(href: string) {
  return {
    href,
    onClick: (event: React.MouseEvent) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      navigate(href);
    },
  };
}

type Dialogs = { kind: 'edit'; webhook?: Webhook } | { kind: 'delete' | 'rotate'; webhook: Webhook } | null;

/** Webhooks: the subscriptions (/tabs/admin/webhooks) and one's delivery log (/tabs/admin/webhooks/<id>). */
export default function WebhooksSection() {
  const [, webhookId] = useTabPath();
  return webhookId ? <WebhookPage webhookId={webhookId} /> : <WebhookList />;
}

function WebhookList() {
  const t = useMessages(messages);
  const styles = useStyles();
  const webhooks = useWebhooks();
  const action = useWebhookAction();
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [notice, setNotice] = useState('');
  const headingId = useId();
  const ping = (webhook: Webhook) =>
    action.mutate(
      { kind: 'ping', webhookId: webhook.webhookId },
      { onSuccess: () => setNotice(t('webhooks.pinged', { url: webhook.url })) },
    );
  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <div className={styles.header}>
        <div className={styles.grow}>
          <Text as="h2" block size={600} weight="semibold" id={headingId}>
            {t('webhooks.title')}
          </Text>
          <Text as="p" block className={styles.muted}>
            {t('webhooks.intro')}
          </Text>
        </div>
        <Button appearance="primary" icon={<AddRegular />} onClick={() => setDialog({ kind: 'edit' })}>
          {t('webhooks.new')}
        </Button>
      </div>
      <div role="status">
        {notice ? (
          <MessageBar intent="success">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
      {action.error ? <ErrorState error={action.error} /> : null}
      <QueryView query={webhooks}>
        {(page) =>
          page.items.length === 0 ? (
            <EmptyState title={t('webhooks.empty')} />
          ) : (
            <div className={styles.scroll}>
              <Table aria-labelledby={headingId}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{t('webhooks.col.url')}</TableHeaderCell>
                    <TableHeaderCell>{t('webhooks.col.events')}</TableHeaderCell>
                    <TableHeaderCell>{t('webhooks.col.status')}</TableHeaderCell>
                    <TableHeaderCell>{t('col.actions')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {page.items.map((w) => (
                    <TableRow key={w.webhookId}>
                      <TableCell>
                        <Link {...routerLink(`${BASE}/${w.webhookId}`)} className={styles.url}>
                          {w.url}
                        </Link>
                        {w.description ? <div className={styles.muted}>{w.description}</div> : null}
                      </TableCell>
                      <TableCell>
                        {w.events.includes('*') ? t('webhooks.allEvents') : w.events.join(', ')}
                      </TableCell>
                      <TableCell>
                        <StatusBadge webhook={w} />
                      </TableCell>
                      <TableCell>
                        <Menu>
                          <MenuTrigger disableButtonEnhancement>
                            <Button
                              size="small"
                              icon={<MoreHorizontalRegular />}
                              aria-label={t('webhooks.actionsFor', { url: w.url })}
                            />
                          </MenuTrigger>
                          <MenuPopover>
                            <MenuList>
                              <MenuItem onClick={() => navigate(`${BASE}/${w.webhookId}`)}>
                                {t('webhooks.deliveries')}
                              </MenuItem>
                              <MenuItem onClick={() => ping(w)}>{t('webhooks.ping')}</MenuItem>
                              <MenuItem onClick={() => setDialog({ kind: 'edit', webhook: w })}>
                                {t('action.edit')}
                              </MenuItem>
                              <MenuItem onClick={() => setDialog({ kind: 'rotate', webhook: w })}>
                                {t('webhooks.rotate')}
                              </MenuItem>
                              <MenuItem onClick={() => setDialog({ kind: 'delete', webhook: w })}>
                                {t('action.delete')}
                              </MenuItem>
                            </MenuList>
                          </MenuPopover>
                        </Menu>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )
        }
      </QueryView>
      <WebhookDialogs dialog={dialog} onClose={() => setDialog(null)} />
    </section>
  );
}

function WebhookDialogs(props: { dialog: Dialogs; onClose: () => void; onDeleted?: () => void }) {
  const { dialog } = props;
  if (!dialog) return null;
  if (dialog.kind === 'edit') return <WebhookDialog webhook={dialog.webhook} onClose={props.onClose} />;
  return (
    <ConfirmWebhookDialog
      webhook={dialog.webhook}
      kind={dialog.kind}
      onClose={props.onClose}
      {...(props.onDeleted ? { onDeleted: props.onDeleted } : {})}
    />
  );
}

function StatusBadge(props: { webhook: Webhook }) {
  const t = useMessages(messages);
  const w = props.webhook;
  if (!w.active) {
    return (
      <Badge appearance="tint" color="danger">
        {w.disabledReason
          ? t('webhooks.disabledBecause', { reason: w.disabledReason })
          : t('webhooks.inactive')}
      </Badge>
    );
  }
  return w.consecutiveFailures > 0 ? (
    <Badge appearance="tint" color="warning">
      {t('webhooks.failing', { n: w.consecutiveFailures })}
    </Badge>
  ) : (
    <Badge appearance="tint" color="success">
      {t('webhooks.active')}
    </Badge>
  );
}

function WebhookPage(props: { webhookId: string }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const webhook = useWebhook(props.webhookId);
  const action = useWebhookAction();
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [notice, setNotice] = useState('');
  const headingId = useId();
  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <div>
        <Link {...routerLink(BASE)}>
          <ArrowLeftRegular aria-hidden /> {t('webhooks.back')}
        </Link>
      </div>
      <QueryView query={webhook}>
        {(w) => (
          <>
            <div className={styles.header}>
              <div className={styles.grow}>
                <Text as="h2" block size={600} weight="semibold" id={headingId} className={styles.url}>
                  {w.url}
                </Text>
                <Text as="p" block className={styles.muted}>
                  {w.events.includes('*') ? t('webhooks.allEvents') : w.events.join(', ')}
                </Text>
                <StatusBadge webhook={w} />
              </div>
              <div className={styles.actions}>
                <Button
                  disabled={action.isPending}
                  onClick={() =>
                    action.mutate(
                      { kind: 'ping', webhookId: w.webhookId },
                      { onSuccess: () => setNotice(t('webhooks.pinged', { url: w.url })) },
                    )
                  }
                >
                  {t('webhooks.ping')}
                </Button>
                <Button onClick={() => setDialog({ kind: 'edit', webhook: w })}>{t('action.edit')}</Button>
                <Button onClick={() => setDialog({ kind: 'rotate', webhook: w })}>
                  {t('webhooks.rotate')}
                </Button>
                <Button onClick={() => setDialog({ kind: 'delete', webhook: w })}>
                  {t('action.delete')}
                </Button>
              </div>
            </div>
            <div role="status">
              {notice ? (
                <MessageBar intent="success">
                  <MessageBarBody>{notice}</MessageBarBody>
                </MessageBar>
              ) : null}
            </div>
            {action.error ? <ErrorState error={action.error} /> : null}
            <DeliveryLog webhookId={w.webhookId} />
            <WebhookDialogs
              dialog={dialog}
              onClose={() => setDialog(null)}
              onDeleted={() => navigate(BASE)}
            />
          </>
        )}
      </QueryView>
    </section>
  );
}

const STATUS_COLOR = {
  pending: 'informative',
  retrying: 'warning',
  succeeded: 'success',
  failed: 'danger',
} as const;

function DeliveryLog(props: { webhookId: string }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [cursors, setCursors] = useState<string[]>([]);
  const deliveries = useDeliveries(props.webhookId, status, cursors[cursors.length - 1]);
  const redeliver = useWebhookAction();
  const headingId = useId();
  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <div className={styles.header}>
        <Text as="h3" block size={500} weight="semibold" id={headingId} className={styles.grow}>
          {t('webhooks.deliveries')}
        </Text>
        <Field label={t('webhooks.filterStatus')}>
          <Select
            value={status}
            onChange={(_e, d) => {
              setStatus(d.value as DeliveryStatus | '');
              setCursors([]);
            }}
          >
            <option value="">{t('webhooks.status.all')}</option>
            {(['pending', 'retrying', 'succeeded', 'failed'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`webhooks.status.${s}`)}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      {redeliver.error ? <ErrorState error={redeliver.error} /> : null}
      <QueryView query={deliveries}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <EmptyState title={t('webhooks.noDeliveries')} />
            ) : (
              <div className={styles.scroll}>
                <Table aria-labelledby={headingId}>
                  <TableHeader>
                    <TableRow>
                      <TableHeaderCell>{t('webhooks.col.event')}</TableHeaderCell>
                      <TableHeaderCell>{t('webhooks.col.status')}</TableHeaderCell>
                      <TableHeaderCell>{t('webhooks.col.attempts')}</TableHeaderCell>
                      <TableHeaderCell>{t('webhooks.col.response')}</TableHeaderCell>
                      <TableHeaderCell>{t('webhooks.col.created')}</TableHeaderCell>
                      <TableHeaderCell>{t('col.actions')}</TableHeaderCell>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {page.items.map((d) => (
                      <DeliveryRow
                        key={d.deliveryId}
                        delivery={d}
                        busy={redeliver.isPending}
                        onRedeliver={() =>
                          redeliver.mutate({
                            kind: 'redeliver',
                            webhookId: d.webhookId,
                            deliveryId: d.deliveryId,
                          })
                        }
                        when={format.dateTime(d.createdAt)}
                        color={STATUS_COLOR[d.status]}
                      />
                    ))}
                  </TableBody>
                </Table>
              </div>
            )}
            <nav className={styles.actions} aria-label={t('webhooks.paging')}>
              <Button disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
                {t('action.previous')}
              </Button>
              <Button
                disabled={!page.nextCursor}
                onClick={() => {
                  const next = page.nextCursor;
                  if (next) setCursors((c) => [...c, next]);
                }}
              >
                {t('action.next')}
              </Button>
            </nav>
          </>
        )}
      </QueryView>
    </section>
  );
}

function DeliveryRow(props: {
  delivery: Delivery;
  busy: boolean;
  onRedeliver: () => void;
  when: string;
  color: (typeof STATUS_COLOR)[keyof typeof STATUS_COLOR];
}) {
  const t = useMessages(messages);
  const styles = useStyles();
  const d = props.delivery;
  const response =
    d.lastStatusCode !== null
      ? t('webhooks.httpStatus', { code: d.lastStatusCode, ms: d.lastResponseMs ?? 0 })
      : (d.lastError ?? '—');
  return (
    <TableRow>
      <TableCell>{d.eventType}</TableCell>
      <TableCell>
        <Badge appearance="tint" color={props.color}>
          {t(`webhooks.status.${d.status}`)}
        </Badge>
      </TableCell>
      <TableCell>{d.attemptCount}</TableCell>
      <TableCell>
        <span className={styles.url}>{response}</span>
      </TableCell>
      <TableCell>{props.when}</TableCell>
      <TableCell>
        <Button size="small" disabled={props.busy} onClick={props.onRedeliver}>
          {t('webhooks.redeliver')}
        </Button>
      </TableCell>
    </TableRow>
  );
}
