import { Link, makeStyles, Text, tokens } from '@fluentui/react-components';
import { useEffect } from 'react';
import { navigate, useTabPath } from '../../app/router.ts';
import { useSession } from '../../app/session.tsx';
import { useMessages } from '../../i18n/index.tsx';
import { messages } from './messages.ts';
import { MyTeams } from './MyTeams.tsx';
import { RequestList } from './RequestList.tsx';
import { RequestPage } from './RequestPage.tsx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const useStyles = makeStyles({
  page: { display: 'grid', gap: tokens.spacingVerticalL },
  intro: { display: 'grid', gap: tokens.spacingVerticalXS },
  muted: { color: tokens.colorNeutralForeground2 },
  views: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalL,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    paddingBottom: tokens.spacingVerticalS,
  },
  current: {
    fontWeight: tokens.fontWeightSemibold,
    textDecorationLine: 'underline',
    textUnderlineOffset: '6px',
    textDecorationThickness: tokens.strokeWidthThick,
  },
});

/** Opens the request a Teams deep link names (`subEntityId` = a request id), once per item. */
function useDeepLink(atHome: boolean) {
  const { host } = useSession();
  useEffect(() => {
    const item = host.subEntityId;
    if (atHome && item && UUID.test(item) && sessionStorage.getItem('trellis.requests.deepLink') !== item) {
      sessionStorage.setItem('trellis.requests.deepLink', item);
      navigate(`/tabs/requests/${encodeURIComponent(item)}`, { replace: true });
    }
  }, [atHome, host.subEntityId]);
}

/**
 * "My requests and teams": the requests (`/tabs/requests`), the teams (`/tabs/requests/teams`) and
 * one request with its live progress (`/tabs/requests/<requestId>`).
 */
export default function RequestsTab() {
  const [first] = useTabPath();
  useDeepLink(first === undefined);
  if (first && UUID.test(first)) return <RequestPage key={first} requestId={first} />;
  return <Home view={first === 'teams' ? 'teams' : 'requests'} />;
}

function Home(props: { view: 'requests' | 'teams' }) {
  const t = useMessages(messages);
  const styles = useStyles();
  return (
    <div className={styles.page}>
      <div className={styles.intro}>
        <Text as="h1" size={700} weight="semibold">
          {t('title')}
        </Text>
        <Text className={styles.muted}>{t('intro')}</Text>
      </div>
      {/* Links rather than a TabList: each view is a page of its own (a bookmark, the back button). */}
      <nav aria-label={t('view.label')} className={styles.views}>
        {(['requests', 'teams'] as const).map((view) => (
          <Link
            key={view}
            href={view === 'teams' ? '/tabs/requests/teams' : '/tabs/requests'}
            aria-current={props.view === view ? 'page' : undefined}
            className={props.view === view ? styles.current : undefined}
            onClick={(event) => {
              if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
              event.preventDefault();
              navigate(view === 'teams' ? '/tabs/requests/teams' : '/tabs/requests');
            }}
          >
            {t(view === 'teams' ? 'view.teams' : 'view.requests')}
          </Link>
        ))}
      </nav>
      {props.view === 'teams' ? <MyTeams /> : <RequestList />}
    </div>
  );
}
