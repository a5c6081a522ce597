import { Badge, makeStyles, Text, tokens } from '@fluentui/react-components';
import { ErrorState } from '../../components/states.tsx';
import { useFormat, useMessages } from '../../i18n/index.tsx';
import { type RequestStatus, useRequestTeam } from './api.ts';
import { messages } from './messages.ts';
import { TeamsLink } from './parts.tsx';

const useStyles = makeStyles({
  root: { display: 'grid', gap: tokens.spacingVerticalS },
  badges: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  links: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalL,
    listStyleType: 'none',
    margin: 0,
    padding: 0,
  },
  muted: { color: tokens.colorNeutralForeground2 },
});

/**
 * A provisioned team: deep links to it and its General channel, and its governance status (archived,
 * owners against the template's policy, differences from the template).
 */
export function TeamSummary(props: { requestId: string; status: RequestStatus }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const team = useRequestTeam(props.requestId, true);
  if (team.isPending)
    return (
      <Text className={styles.muted} role="status">
        {t('team.loading')}
      </Text>
    );
  if (team.error) return <ErrorState error={team.error} onRetry={() => void team.refetch()} />;
  const data = team.data;
  if (!data.exists) return <Text>{t('team.gone')}</Text>;
  const tooFew = data.owners < data.minimumOwners;
  return (
    <div className={styles.root}>
      <div className={styles.badges}>
        <Badge appearance="tint" color={data.isArchived ? 'subtle' : 'success'}>
          {data.isArchived ? t('team.archived') : t('team.active')}
        </Badge>
        {tooFew ? (
          <Badge appearance="tint" color="danger">
            {t('team.tooFewOwners')}
          </Badge>
        ) : null}
        {props.status === 'completed_with_drift' ? (
          <Badge appearance="tint" color="warning">
            {t('team.drift')}
          </Badge>
        ) : null}
      </div>
      <Text>
        {t('team.owners', { count: format.number(data.owners), minimum: format.number(data.minimumOwners) })}
        {' · '}
        {t('team.members', { count: format.number(data.members) })}
      </Text>
      <ul className={styles.links}>
        {data.webUrl ? (
          <li>
            <TeamsLink href={data.webUrl}>{t('team.open')}</TeamsLink>
          </li>
        ) : null}
        {data.generalChannel?.webUrl ? (
          <li>
            <TeamsLink href={data.generalChannel.webUrl}>
              {t('team.openChannel', { channel: data.generalChannel.displayName })}
            </TeamsLink>
          </li>
        ) : null}
      </ul>
    </div>
  );
}
