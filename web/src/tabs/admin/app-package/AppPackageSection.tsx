import {
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Table,
  TableBody,
  TableCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownloadRegular } from '@fluentui/react-icons';
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../../../api/client.ts';
import { ErrorState, QueryView } from '../../../components/states.tsx';
import { useMessages } from '../../../i18n/index.tsx';
import { messages } from '../messages.ts';
import { downloadFromApi } from './download.ts';

/** The parts of manifest.json an admin checks before uploading. */
interface Manifest {
  id: string;
  version: string;
  manifestVersion: string;
  name?: { short?: string; full?: string };
  developer?: { name?: string };
  validDomains?: string[];
  webApplicationInfo?: { id?: string; resource?: string };
}

const useStyles = makeStyles({
  section: { display: 'grid', gap: tokens.spacingVerticalL },
  muted: { color: tokens.colorNeutralForeground2 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  code: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
  th: { fontWeight: tokens.fontWeightSemibold, textAlign: 'start', verticalAlign: 'top' },
});

/** The Teams app package: what is in its manifest, and the zip to upload to Teams. */
export default function AppPackageSection() {
  const t = useMessages(messages);
  const styles = useStyles();
  const id = useId();
  const manifest = useQuery({
    queryKey: ['admin', 'teams-app', 'manifest'],
    queryFn: () => api<Manifest>('GET', '/teams-app/manifest'),
  });
  const [state, setState] = useState<{ busy: boolean; saved?: string; error?: unknown }>({ busy: false });
  const download = async () => {
    setState({ busy: true });
    try {
      setState({ busy: false, saved: await downloadFromApi('/teams-app/package', 'trellis-teams-app.zip') });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return (
    <section className={styles.section} aria-labelledby={id}>
      <div>
        <Text as="h2" block size={600} weight="semibold" id={id}>
          {t('app.title')}
        </Text>
        <Text as="p" block className={styles.muted}>
          {t('app.intro')}
        </Text>
      </div>
      <div className={styles.actions}>
        <Button
          appearance="primary"
          icon={<ArrowDownloadRegular />}
          disabled={state.busy}
          onClick={() => void download()}
        >
          {t('app.download')}
        </Button>
      </div>
      <div role="status">
        {state.saved ? (
          <MessageBar intent="success">
            <MessageBarBody>{t('app.saved', { name: state.saved })}</MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
      {state.error ? <ErrorState error={state.error} /> : null}
      <Text as="h3" block size={500} weight="semibold">
        {t('app.manifest')}
      </Text>
      <QueryView query={manifest}>
        {(m) => (
          <Table aria-label={t('app.manifest')} size="small">
            <TableBody>
              {(
                [
                  ['app.name', m.name?.full ?? m.name?.short ?? '—'],
                  ['app.id', m.id],
                  ['app.version', m.version],
                  ['app.manifestVersion', m.manifestVersion],
                  ['app.developer', m.developer?.name ?? '—'],
                  ['app.sso', m.webApplicationInfo?.resource ?? '—'],
                  ['app.domains', (m.validDomains ?? []).join(', ') || '—'],
                ] as const
              ).map(([label, value]) => (
                <TableRow key={label}>
                  <th scope="row" className={styles.th}>
                    {t(label)}
                  </th>
                  <TableCell>
                    <span className={styles.code}>{value}</span>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </QueryView>
    </section>
  );
}
