import { Card, CardHeader, makeStyles, Text, tokens } from '@fluentui/react-components';
import { Fragment } from 'react';
import { useSession } from '../../app/session.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { useFormat, useMessages } from '../../i18n/index.tsx';
import { type TeamRequest, useMyTeams } from './api.ts';
import { messages } from './messages.ts';
import { RouterLink, StatusBadge } from './parts.tsx';
import { TeamSummary } from './TeamSummary.tsx';

const useStyles = makeStyles({
  section: { display: 'grid', gap: tokens.spacingVerticalM },
  grid: {
    display: 'grid',
    gap: tokens.spacingHorizontalL,
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 320px), 1fr))',
    listStyleType: 'none',
    margin: 0,
    padding: 0,
  },
  card: { height: '100%' },
  meta: {
    display: 'grid',
    gridTemplateColumns: 'auto 1fr',
    gap: `0 ${tokens.spacingHorizontalM}`,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground2 },
  value: { margin: 0, overflowWrap: 'anywhere' },
});

function metadataText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function TeamCard(props: { request: TeamRequest }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const r = props.request;
  const name = r.names?.displayName ?? r.name;
  const entries = Object.entries(r.metadata).filter(([, v]) => metadataText(v) !== '');
  return (
    <li>
      <Card className={styles.card}>
        <CardHeader
          header={
            <Text as="h3" weight="semibold">
              {name}
            </Text>
          }
          description={<StatusBadge status={r.status} />}
        />
        <dl className={styles.meta}>
          <dt className={styles.term}>{t('page.template')}</dt>
          <dd className={styles.value}>
            {t('page.templateValue', { slug: r.template.slug, version: r.template.version })}
          </dd>
          {entries.map(([key, value]) => (
            <Fragment key={key}>
              <dt className={styles.term}>{key}</dt>
              <dd className={styles.value}>{metadataText(value)}</dd>
            </Fragment>
          ))}
          <dt className={styles.term}>{t('teams.request')}</dt>
          <dd className={styles.value}>
            <RouterLink to={`/tabs/requests/${r.requestId}`}>{t('teams.openRequest', { name })}</RouterLink> ·{' '}
            {format.date(r.decidedAt ?? r.updatedAt)}
          </dd>
        </dl>
        <TeamSummary requestId={r.requestId} status={r.status} />
      </Card>
    </li>
  );
}

/** The teams the user requested or owns, with their template, metadata and governance status. */
export function MyTeams() {
  const t = useMessages(messages);
  const styles = useStyles();
  const { me } = useSession();
  const teams = useMyTeams({ id: me.principal.id, upn: me.principal.userPrincipalName });
  return (
    <section className={styles.section} aria-labelledby="teams-heading">
      <Text as="h2" id="teams-heading" size={500} weight="semibold">
        {t('teams.caption')}
      </Text>
      <QueryView query={teams}>
        {(items) =>
          items.length === 0 ? (
            <EmptyState title={t('teams.empty')}>
              <Text>{t('teams.emptyBody')}</Text>
            </EmptyState>
          ) : (
            <ul className={styles.grid}>
              {items.map((r) => (
                <TeamCard key={r.requestId} request={r} />
              ))}
            </ul>
          )
        }
      </QueryView>
    </section>
  );
}
