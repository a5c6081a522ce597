import {
  Button,
  Field,
  Input,
  makeStyles,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useId, useState } from 'react';
import type { Role } from '../../../app/session.tsx';
import { PeoplePicker, type Person } from '../../../components/PeoplePicker.tsx';
import { PersonName } from '../../../components/PersonName.tsx';
import { EmptyState, ErrorState, QueryView } from '../../../components/states.tsx';
import { useFormat, useMessages } from '../../../i18n/index.tsx';
import { messages } from '../messages.ts';
import { type GrantKind, ROLES, useGrantChange, useGrants } from './api.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const useStyles = makeStyles({
  section: { display: 'grid', gap: tokens.spacingVerticalXL },
  part: { display: 'grid', gap: tokens.spacingVerticalM },
  form: {
    display: 'grid',
    gap: tokens.spacingHorizontalM,
    gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 220px), 1fr))',
    alignItems: 'end',
  },
  scroll: { overflowX: 'auto' },
  muted: { color: tokens.colorNeutralForeground2 },
  code: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
});

/** Roles given in Trellis: to users directly, and to every member of an Entra group. */
export default function RolesSection() {
  const t = useMessages(messages);
  const styles = useStyles();
  const id = useId();
  return (
    <section className={styles.section} aria-labelledby={id}>
      <div>
        <Text as="h2" block size={600} weight="semibold" id={id}>
          {t('roles.title')}
        </Text>
        <Text as="p" block className={styles.muted}>
          {t('roles.intro')}
        </Text>
      </div>
      <Grants kind="assignments" />
      <Grants kind="group-mappings" />
    </section>
  );
}

function Grants(props: { kind: GrantKind }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const grants = useGrants(props.kind);
  const change = useGrantChange(props.kind);
  // A user is picked from the directory; a group (no group search in the API) by its object id.
  const [person, setPerson] = useState<Person[]>([]);
  const [groupId, setGroupId] = useState('');
  const [role, setRole] = useState<Role>('approver');
  const [tried, setTried] = useState(false);
  const headingId = useId();
  const users = props.kind === 'assignments';
  const principal = users ? (person[0]?.id ?? '') : groupId.trim();
  const invalid = !GUID.test(principal);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (invalid) return;
    change.mutate(
      { add: { principal, role } },
      {
        onSuccess: () => {
          setPerson([]);
          setGroupId('');
          setTried(false);
        },
      },
    );
  };
  return (
    <section className={styles.part} aria-labelledby={headingId}>
      <Text as="h3" block size={500} weight="semibold" id={headingId}>
        {users ? t('roles.users') : t('roles.groups')}
      </Text>
      <form
        className={styles.form}
        noValidate
        onSubmit={submit}
        aria-label={users ? t('roles.addUser') : t('roles.addGroup')}
      >
        {users ? (
          <PeoplePicker
            label={t('roles.user')}
            max={1}
            required
            selected={person}
            onChange={setPerson}
            validationMessage={tried && invalid ? t('roles.userRequired') : undefined}
          />
        ) : (
          <Field
            label={t('roles.groupId')}
            hint={t('roles.objectIdHint')}
            required
            validationMessage={tried && invalid ? t('roles.objectIdInvalid') : undefined}
          >
            <Input value={groupId} onChange={(_e, d) => setGroupId(d.value)} />
          </Field>
        )}
        <Field label={t('roles.role')}>
          <Select value={role} onChange={(_e, d) => setRole(d.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Button type="submit" appearance="primary" disabled={change.isPending}>
          {users ? t('roles.addUser') : t('roles.addGroup')}
        </Button>
      </form>
      {change.error ? <ErrorState error={change.error} /> : null}
      <QueryView query={grants}>
        {(items) =>
          items.length === 0 ? (
            <EmptyState title={users ? t('roles.noUsers') : t('roles.noGroups')} />
          ) : (
            <div className={styles.scroll}>
              <Table aria-labelledby={headingId}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{users ? t('roles.user') : t('roles.groupId')}</TableHeaderCell>
                    <TableHeaderCell>{t('roles.role')}</TableHeaderCell>
                    <TableHeaderCell>{t('roles.grantedBy')}</TableHeaderCell>
                    <TableHeaderCell>{t('roles.grantedAt')}</TableHeaderCell>
                    <TableHeaderCell>{t('col.actions')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {items.map((g) => (
                    <TableRow key={g.id}>
                      <TableCell>
                        {users ? (
                          <PersonName id={g.principal} />
                        ) : (
                          <span className={styles.code}>{g.principal}</span>
                        )}
                      </TableCell>
                      <TableCell>{t(`role.${g.role}`)}</TableCell>
                      <TableCell>
                        {GUID.test(g.createdBy) ? <PersonName id={g.createdBy} /> : g.createdBy}
                      </TableCell>
                      <TableCell>{format.dateTime(g.createdAt)}</TableCell>
                      <TableCell>
                        <Button
                          size="small"
                          disabled={change.isPending}
                          aria-label={t('roles.removeNamed', {
                            role: t(`role.${g.role}`),
                            principal: g.principal,
                          })}
                          onClick={() => change.mutate({ remove: g.id })}
                        >
                          {t('action.remove')}
                        </Button>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )
        }
      </QueryView>
    </section>
  );
}
