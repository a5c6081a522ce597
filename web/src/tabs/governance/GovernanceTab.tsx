import { makeStyles, Tab, TabList, Text, tokens } from '@fluentui/react-components';
import { navigate, useTabPath } from '../../app/router.ts';
import { useMessages } from '../../i18n/index.tsx';
import { AuditLog } from './AuditLog.tsx';
import { Dashboard } from './Dashboard.tsx';
import { messages } from './messages.ts';

const useStyles = makeStyles({
  page: { display: 'grid', gap: tokens.spacingVerticalL },
  intro: { display: 'grid', gap: tokens.spacingVerticalXS },
  muted: { color: tokens.colorNeutralForeground2 },
});

type Page = 'dashboard' | 'audit';

/** Governance admins: the dashboard (/tabs/governance) and the audit log (/tabs/governance/audit). */
export default function GovernanceTab() {
  const t = useMessages(messages);
  const styles = useStyles();
  const [segment] = useTabPath();
  const page: Page = segment === 'audit' ? 'audit' : 'dashboard';
  return (
    <div className={styles.page}>
      <div className={styles.intro}>
        <Text as="h1" size={700} weight="semibold">
          {t('title')}
        </Text>
        <Text className={styles.muted}>{t('intro')}</Text>
      </div>
      <TabList
        aria-label={t('pages')}
        selectedValue={page}
        onTabSelect={(_e, data) =>
          navigate(data.value === 'audit' ? '/tabs/governance/audit' : '/tabs/governance')
        }
      >
        <Tab value="dashboard">{t('page.dashboard')}</Tab>
        <Tab value="audit">{t('page.audit')}</Tab>
      </TabList>
      {page === 'audit' ? <AuditLog /> : <Dashboard />}
    </div>
  );
}
