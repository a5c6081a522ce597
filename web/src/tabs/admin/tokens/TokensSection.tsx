import {
  Badge,
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
  SpinButton,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useId, useState } from 'react';
import { ApiError } from '../../../api/client.ts';
import { useSession } from '../../../app/session.tsx';
import { EmptyState, ErrorState, QueryView } from '../../../components/states.tsx';
import { useFormat, useMessages } from '../../../i18n/index.tsx';
import { messages } from '../messages.ts';
import {
  type ApiToken,
  type CreatedApiToken,
  DEFAULT_TOKEN_DAYS,
  MAX_TOKEN_DAYS,
  useCreateToken,
  useRevokeToken,
  useTokens,
} from './api.ts';
import { SecretOnceBody } from './SecretOnce.tsx';

const useStyles = makeStyles({
  section: { display: 'grid', gap: tokens.spacingVerticalL },
  header: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  grow: { flexGrow: 1 },
  form: { display: 'grid', gap: tokens.spacingVerticalM },
  scopes: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 180px), 1fr))',
  },
  scroll: { overflowX: 'auto' },
  muted: { color: tokens.colorNeutralForeground2 },
  code: { fontFamily: tokens.fontFamilyMonospace },
});

/** API tokens: list with status and last use, create (the token shown once), revoke. */
export default function TokensSection() {
  const t = useMessages(messages);
  const styles = useStyles();
  const tokensQuery = useTokens();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const headingId = useId();
  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <div className={styles.header}>
        <div className={styles.grow}>
          <Text as="h2" block size={600} weight="semibold" id={headingId}>
            {t('tokens.title')}
          </Text>
          <Text as="p" block className={styles.muted}>
            {t('tokens.intro')}
          </Text>
        </div>
        <Button appearance="primary" icon={<AddRegular />} onClick={() => setCreating(true)}>
          {t('tokens.new')}
        </Button>
      </div>
      <QueryView query={tokensQuery}>
        {(page) =>
          page.items.length === 0 ? (
            <EmptyState title={t('tokens.empty')} />
          ) : (
            <div className={styles.scroll}>
              <TokenTable items={page.items} labelledBy={headingId} onRevoke={setRevoking} />
            </div>
          )
        }
      </QueryView>
      {creating ? <CreateTokenDialog onClose={() => setCreating(false)} /> : null}
      {revoking ? <RevokeDialog token={revoking} onClose={() => setRevoking(null)} /> : null}
    </section>
  );
}

function TokenTable(props: { items: ApiToken[]; labelledBy: string; onRevoke: (t: ApiToken) => void }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const color = { active: 'success', expired: 'warning', revoked: 'danger' } as const;
  return (
    <Table aria-labelledby={props.labelledBy}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{t('tokens.col.name')}</TableHeaderCell>
          <TableHeaderCell>{t('tokens.col.hint')}</TableHeaderCell>
          <TableHeaderCell>{t('tokens.col.scopes')}</TableHeaderCell>
          <TableHeaderCell>{t('tokens.col.status')}</TableHeaderCell>
          <TableHeaderCell>{t('tokens.col.expires')}</TableHeaderCell>
          <TableHeaderCell>{t('tokens.col.lastUsed')}</TableHeaderCell>
          <TableHeaderCell>{t('col.actions')}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.items.map((token) => (
          <TableRow key={token.tokenId}>
            <TableCell>{token.name}</TableCell>
            <TableCell>
              <span className={styles.code}>{token.hint}</span>
            </TableCell>
            <TableCell>{token.scopes.join(', ')}</TableCell>
            <TableCell>
              <Badge appearance="tint" color={color[token.status]}>
                {t(`tokens.status.${token.status}`)}
              </Badge>
            </TableCell>
            <TableCell>{format.date(token.expiresAt)}</TableCell>
            <TableCell>{token.lastUsedAt ? format.dateTime(token.lastUsedAt) : t('tokens.never')}</TableCell>
            <TableCell>
              {token.status === 'active' ? (
                <Button size="small" onClick={() => props.onRevoke(token)}>
                  {t('tokens.revokeNamed', { name: token.name })}
                </Button>
              ) : null}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function CreateTokenDialog(props: { onClose: () => void }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const session = useSession();
  const create = useCreateToken();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [days, setDays] = useState(DEFAULT_TOKEN_DAYS);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [tried, setTried] = useState(false);
  const available = session.me.scopes;
  const nameError = tried && !name.trim() ? t('tokens.nameRequired') : undefined;
  const scopesError = tried && scopes.length === 0 ? t('tokens.scopesRequired') : undefined;
  const fieldError = (path: string) =>
    create.error instanceof ApiError
      ? create.error.fieldErrors.find((e) => e.path.includes(path))?.message
      : undefined;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!name.trim() || scopes.length === 0) return;
    create.mutate(
      { name: name.trim(), scopes, expiresInDays: days },
      { onSuccess: (token) => setCreated(token) },
    );
  };
  const toggle = (scope: string, on: boolean) =>
    setScopes((s) => (on ? [...s, scope] : s.filter((x) => x !== scope)));

  return (
    <Dialog open modalType="alert" onOpenChange={(_e, d) => (d.open ? undefined : props.onClose())}>
      <DialogSurface>
        {created ? (
          <SecretOnceBody
            title={t('tokens.createdTitle', { name: created.name })}
            label={t('tokens.secretLabel')}
            value={created.token}
            onDone={props.onClose}
          />
        ) : (
          <form onSubmit={submit}>
            <DialogBody>
              <DialogTitle>{t('tokens.new')}</DialogTitle>
              <DialogContent className={styles.form}>
                <Field label={t('tokens.name')} required validationMessage={nameError ?? fieldError('name')}>
                  <Input value={name} maxLength={100} onChange={(_e, d) => setName(d.value)} />
                </Field>
                <Field
                  label={t('tokens.scopes')}
                  hint={t('tokens.scopesHint')}
                  validationMessage={scopesError ?? fieldError('scopes')}
                >
                  <div role="group" aria-label={t('tokens.scopes')} className={styles.scopes}>
                    {available.map((scope) => (
                      <Checkbox
                        key={scope}
                        label={scope}
                        checked={scopes.includes(scope)}
                        onChange={(_e, d) => toggle(scope, d.checked === true)}
                      />
                    ))}
                  </div>
                </Field>
                <Field label={t('tokens.expiresIn')} hint={t('tokens.expiresHint', { max: MAX_TOKEN_DAYS })}>
                  <SpinButton
                    value={days}
                    min={1}
                    max={MAX_TOKEN_DAYS}
                    onChange={(_e, d) => {
                      const value = d.value ?? Number(d.displayValue);
                      if (Number.isInteger(value) && value >= 1 && value <= MAX_TOKEN_DAYS) setDays(value);
                    }}
                  />
                </Field>
                {create.error && !(create.error instanceof ApiError && create.error.fieldErrors.length) ? (
                  <ErrorState error={create.error} />
                ) : null}
              </DialogContent>
              <DialogActions>
                <Button type="button" onClick={props.onClose}>
                  {t('action.cancel')}
                </Button>
                <Button appearance="primary" type="submit" disabled={create.isPending}>
                  {create.isPending ? t('tokens.creating') : t('tokens.create')}
                </Button>
              </DialogActions>
            </DialogBody>
          </form>
        )}
      </DialogSurface>
    </Dialog>
  );
}

function RevokeDialog(props: { token: ApiToken; onClose: () => void }) {
  const t = useMessages(messages);
  const revoke = useRevokeToken();
  return (
    <Dialog open modalType="alert" onOpenChange={(_e, d) => (d.open ? undefined : props.onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{t('tokens.revokeTitle', { name: props.token.name })}</DialogTitle>
          <DialogContent>
            {t('tokens.revokeBody')}
            {revoke.error ? <ErrorState error={revoke.error} /> : null}
          </DialogContent>
          <DialogActions>
            <Button onClick={props.onClose}>{t('action.cancel')}</Button>
            <Button
              appearance="primary"
              disabled={revoke.isPending}
              onClick={() => revoke.mutate(props.token.tokenId, { onSuccess: props.onClose })}
            >
              {t('tokens.revoke')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
