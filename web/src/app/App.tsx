import {
  Button,
  FluentProvider,
  makeStyles,
  mergeClasses,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Avatar,
  MessageBar,
  MessageBarBody,
  Text,
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  tokens,
  webDarkTheme,
  webLightTheme,
  type Theme,
} from '@fluentui/react-components';
import { Suspense, useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { ErrorState, Loading } from '../components/states.tsx';
import { LanguageProvider, languageOf, useT } from '../i18n/index.tsx';
import { type Host, signIn, SignInRequired, type ThemeName } from './host.ts';
import { navigate, useLocation } from './router.ts';
import { SessionProvider, useMe, useSession } from './session.tsx';
import { TABS, type TabId } from './tabs.ts';
import { StaticPage } from './StaticPage.tsx';

const useStyles = makeStyles({
  root: {
    minHeight: '100vh',
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground1,
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalL,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    flexWrap: 'wrap',
  },
  brand: { fontWeight: tokens.fontWeightSemibold },
  nav: { flexGrow: 1, minWidth: 0, overflowX: 'auto' },
  navList: { display: 'flex', gap: tokens.spacingHorizontalXS, listStyleType: 'none', margin: 0, padding: 0 },
  navLink: {
    display: 'block',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    color: tokens.colorNeutralForeground2,
    textDecorationLine: 'none',
    whiteSpace: 'nowrap',
    borderBottom: `${tokens.strokeWidthThicker} solid transparent`,
    ':hover': { color: tokens.colorNeutralForeground1, borderBottomColor: tokens.colorNeutralStroke1 },
    ':focus-visible': { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}` },
  },
  navLinkCurrent: {
    color: tokens.colorNeutralForeground1,
    fontWeight: tokens.fontWeightSemibold,
    borderBottomColor: tokens.colorCompoundBrandStroke,
  },
  main: { padding: tokens.spacingHorizontalL, maxWidth: '1200px', margin: '0 auto' },
  signIn: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalL,
    maxWidth: '420px',
    margin: '15vh auto',
    padding: tokens.spacingHorizontalXXL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow8,
  },
});

function themeFor(host: Host | undefined, name: ThemeName): Theme {
  if (name === 'contrast') return teamsHighContrastTheme;
  if (host?.kind === 'teams') return name === 'dark' ? teamsDarkTheme : teamsLightTheme;
  return name === 'dark' ? webDarkTheme : webLightTheme;
}

/** The whole app: host detection, theme, language, sign-in, then the signed-in shell. */
export function App(props: { host: Host }) {
  const { host } = props;
  const [theme, setTheme] = useState<ThemeName>(host.theme);
  useEffect(() => host.onThemeChange(setTheme), [host]);
  const language = languageOf(host.locale);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const styles = useStyles();
  return (
    <FluentProvider theme={themeFor(host, theme)} className={styles.root}>
      <LanguageProvider language={language}>
        <Gate host={host} />
      </LanguageProvider>
    </FluentProvider>
  );
}

function Gate(props: { host: Host }) {
  const { path } = useLocation();
  const me = useMe(!path.startsWith('/privacy') && !path.startsWith('/terms'));
  if (path === '/privacy') return <StaticPage page="privacy" />;
  if (path === '/terms') return <StaticPage page="terms" />;
  if (me.isPending) return <Loading />;
  if (me.error instanceof SignInRequired || (me.error instanceof ApiError && me.error.status === 401)) {
    return <SignInPage />;
  }
  if (me.error) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  return (
    <SessionProvider host={props.host} me={me.data}>
      <Shell />
    </SessionProvider>
  );
}

function SignInPage() {
  const t = useT();
  const styles = useStyles();
  const { query } = useLocation();
  const error = query.get('signInError');
  return (
    <main className={styles.signIn}>
      <Text as="h1" size={600} weight="semibold">
        {t('signIn.title')}
      </Text>
      {error ? (
        <MessageBar intent="error">
          <MessageBarBody>{t('signIn.error', { reason: error })}</MessageBarBody>
        </MessageBar>
      ) : null}
      {query.get('signedOut') ? (
        <MessageBar intent="info">
          <MessageBarBody>{t('signIn.signedOut')}</MessageBarBody>
        </MessageBar>
      ) : null}
      <Text>{t('signIn.body')}</Text>
      <Button appearance="primary" size="large" onClick={signIn}>
        {t('signIn.action')}
      </Button>
    </main>
  );
}

function Shell() {
  const t = useT();
  const styles = useStyles();
  const session = useSession();
  const { path } = useLocation();
  const current = (path.split('/')[2] ?? 'catalog') as TabId;
  const visible = TABS.filter((tab) => tab.visible(session));
  const active = TABS.find((tab) => tab.id === current);
  const name = session.me.principal.displayName ?? session.me.principal.userPrincipalName ?? '';
  // Inside Teams each tab is its own page: the navigation is Teams' own, so the shell shows none.
  const inTeams = session.host.kind === 'teams';
  return (
    <>
      {inTeams ? null : (
        <header className={styles.header}>
          <Text className={styles.brand} size={500}>
            {t('app.name')}
          </Text>
          <nav className={styles.nav} aria-label={t('nav.label')}>
            {/* Sections are pages: links with aria-current, not an ARIA tab list without tab panels. */}
            <ul className={styles.navList}>
              {visible.map((tab) => (
                <li key={tab.id}>
                  <a
                    href={`/tabs/${tab.id}`}
                    className={mergeClasses(styles.navLink, tab.id === current && styles.navLinkCurrent)}
                    aria-current={tab.id === current ? 'page' : undefined}
                    onClick={(event) => {
                      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
                      event.preventDefault();
                      navigate(`/tabs/${tab.id}`);
                    }}
                  >
                    {t(tab.label)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <Menu>
            <MenuTrigger disableButtonEnhancement>
              <Button
                appearance="subtle"
                title={t('user.menu', { name })}
                icon={<Avatar name={name} size={28} aria-hidden />}
              >
                {name}
              </Button>
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                <MenuItem onClick={() => void session.host.signOut()}>{t('user.signOut')}</MenuItem>
              </MenuList>
            </MenuPopover>
          </Menu>
        </header>
      )}
      <main className={styles.main} id="main">
        {active ? (
          active.visible(session) ? (
            <Suspense fallback={<Loading />}>
              <active.Component />
            </Suspense>
          ) : (
            <ErrorState error={new Error(t('state.forbidden', { role: active.role }))} />
          )
        ) : (
          <ErrorState error={new Error(t('state.notFound'))} />
        )}
      </main>
    </>
  );
}
