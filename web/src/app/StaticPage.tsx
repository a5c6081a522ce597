import { makeStyles, Text, tokens } from '@fluentui/react-components';
import { useT } from '../i18n/index.tsx';

const useStyles = makeStyles({
  page: {
    maxWidth: '720px',
    margin: '0 auto',
    padding: tokens.spacingHorizontalXXL,
    display: 'grid',
    gap: tokens.spacingVerticalL,
  },
});

/** The privacy and terms pages the Teams app manifest links to (no sign-in needed). */
export function StaticPage(props: { page: 'privacy' | 'terms' }) {
  const t = useT();
  const styles = useStyles();
  return (
    <main className={styles.page}>
      <Text as="h1" size={700} weight="semibold">
        {t(props.page === 'privacy' ? 'page.privacy.title' : 'page.terms.title')}
      </Text>
      <Text as="p">{t(props.page === 'privacy' ? 'page.privacy.body' : 'page.terms.body')}</Text>
    </main>
  );
}
