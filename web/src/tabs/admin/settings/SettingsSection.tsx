import {
  Badge,
  Link,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useId } from 'react';
import { useSession } from '../../../app/session.tsx';
import { useMessages } from '../../../i18n/index.tsx';
import { messages } from '../messages.ts';

const useStyles = makeStyles({
  section: { display: 'grid', gap: tokens.spacingVerticalL },
  muted: { color: tokens.colorNeutralForeground2 },
  code: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
  th: { fontWeight: tokens.fontWeightSemibold, textAlign: 'start', verticalAlign: 'top' },
  badges: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
});

/**
 * The tenant as Trellis knows it and how it was onboarded. The API has no tenant settings to edit
 * yet: this page shows, and links to the consent flow and the API reference.
 */
export default function SettingsSection() {
  const t = useMessages(messages);
  const styles = useStyles();
  const { me } = useSession();
  const id = useId();
  const onboardingId = useId();
  const rows: [string, React.ReactNode][] = [
    [t('settings.name'), me.tenant.displayName],
    [t('settings.slug'), <span className={styles.code}>{me.tenant.slug}</span>],
    [t('settings.tenantId'), <span className={styles.code}>{me.tenant.tenantId}</span>],
    [t('settings.entraTenant'), <span className={styles.code}>{me.principal.entraTenantId ?? '—'}</span>],
    [
      t('settings.yourRoles'),
      <span className={styles.badges}>
        {me.roles.map((r) => (
          <Badge key={r} appearance="tint">
            {t(`role.${r}`)}
          </Badge>
        ))}
      </span>,
    ],
  ];
  return (
    <section className={styles.section} aria-labelledby={id}>
      <div>
        <Text as="h2" block size={600} weight="semibold" id={id}>
          {t('settings.title')}
        </Text>
        <Text as="p" block className={styles.muted}>
          {t('settings.intro')}
        </Text>
      </div>
      <Table aria-labelledby={id} size="small">
        <TableBody>
          {rows.map(([label, value]) => (
            <TableRow key={label}>
              <th scope="row" className={styles.th}>
                {label}
              </th>
              <TableCell>{value}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <section aria-labelledby={onboardingId} className={styles.section}>
        <Text as="h3" block size={500} weight="semibold" id={onboardingId}>
          {t('settings.onboarding')}
        </Text>
        <Text>{me.principal.entraTenantId ? t('settings.onboarded') : t('settings.notConnected')}</Text>
        <Text>
          <Link href="/api/v1/onboarding/consent" target="_blank" rel="noopener">
            {t('settings.consent')}
          </Link>
        </Text>
        <Text>
          <Link href="/api/docs" target="_blank" rel="noopener">
            {t('settings.apiDocs')}
          </Link>
        </Text>
      </section>
    </section>
  );
}
