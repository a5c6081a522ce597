import {
  Badge,
  Link,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { api } from '../../../api/client.ts';
import { QueryView } from '../../../components/states.tsx';
import { useFormat, useMessages } from '../../../i18n/index.tsx';
import { messages } from '../messages.ts';

/** `GET /network/certificate`: the served certificate, as a network team checks it. */
interface CertificateReport {
  domain: string;
  coversDomain: boolean;
  subject: string;
  subjectAltNames: string[];
  issuer: string;
  validFrom: string;
  validTo: string;
  daysRemaining: number;
  keyType: string;
  keyBits: number;
  signatureAlgorithm: string;
  fingerprintSha256: string;
  spkiPin: string;
  chain: { subject: string; issuer: string; validTo: string; spkiPin: string }[];
  advice: string;
  source?: string;
  verification?: { trusted: boolean; error?: string };
}

/** `GET /network/domains`: every host this deployment serves or calls. */
interface DomainEntry {
  id: number;
  host: string;
  port: number;
  protocol: string;
  direction: string;
  flow: string;
  service: string;
  purpose: string;
  wildcard: boolean;
}

const useStyles = makeStyles({
  section: { display: 'grid', gap: tokens.spacingVerticalXL },
  part: { display: 'grid', gap: tokens.spacingVerticalM },
  muted: { color: tokens.colorNeutralForeground2 },
  code: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
  th: { fontWeight: tokens.fontWeightSemibold, textAlign: 'start', verticalAlign: 'top' },
  scroll: { overflowX: 'auto' },
  diagram: {
    maxWidth: '100%',
    height: 'auto',
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
  },
  links: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalL },
});

/** Network & security: the certificate report, the domain allowlist and the flow diagram. */
export default function NetworkSection() {
  const t = useMessages(messages);
  const styles = useStyles();
  const id = useId();
  const diagramId = useId();
  return (
    <section className={styles.section} aria-labelledby={id}>
      <div>
        <Text as="h2" block size={600} weight="semibold" id={id}>
          {t('network.title')}
        </Text>
        <Text as="p" block className={styles.muted}>
          {t('network.intro')}
        </Text>
      </div>
      <Certificate />
      <Domains />
      <section className={styles.part} aria-labelledby={diagramId}>
        <Text as="h3" block size={500} weight="semibold" id={diagramId}>
          {t('network.flows')}
        </Text>
        <img className={styles.diagram} src="/network/flows.svg" alt={t('network.flowsAlt')} />
        <div className={styles.links}>
          <Link href="/network/flows.svg" target="_blank" rel="noopener">
            {t('network.openDiagram')}
          </Link>
          <Link href="/network/proxy.pac" target="_blank" rel="noopener">
            {t('network.pac')}
          </Link>
          <Link href="/api/v1/network/domains?format=text" target="_blank" rel="noopener">
            {t('network.domainsText')}
          </Link>
          <Link href="/network" target="_blank" rel="noopener">
            {t('network.page')}
          </Link>
        </div>
      </section>
    </section>
  );
}

function Certificate() {
  const t = useMessages(messages);
  const styles = useStyles();
  const format = useFormat();
  const id = useId();
  const report = useQuery({
    queryKey: ['network', 'certificate'],
    queryFn: () => api<CertificateReport>('GET', '/network/certificate'),
  });
  return (
    <section className={styles.part} aria-labelledby={id}>
      <Text as="h3" block size={500} weight="semibold" id={id}>
        {t('network.certificate')}
      </Text>
      <QueryView query={report}>
        {(c) => {
          const rows: [string, React.ReactNode][] = [
            [t('network.domain'), <span className={styles.code}>{c.domain}</span>],
            [
              t('network.covers'),
              <Badge appearance="tint" color={c.coversDomain ? 'success' : 'danger'}>
                {c.coversDomain ? t('network.yes') : t('network.no')}
              </Badge>,
            ],
            [
              t('network.trusted'),
              c.verification ? (
                <Badge appearance="tint" color={c.verification.trusted ? 'success' : 'warning'}>
                  {c.verification.trusted ? t('network.yes') : (c.verification.error ?? t('network.no'))}
                </Badge>
              ) : (
                '—'
              ),
            ],
            [t('network.subject'), c.subject],
            [t('network.sans'), c.subjectAltNames.join(', ')],
            [t('network.issuer'), c.issuer],
            [
              t('network.validity'),
              t('network.validityValue', {
                from: format.date(c.validFrom),
                to: format.date(c.validTo),
                days: c.daysRemaining,
              }),
            ],
            [t('network.key'), `${c.keyType} ${c.keyBits} · ${c.signatureAlgorithm}`],
            [t('network.fingerprint'), <span className={styles.code}>{c.fingerprintSha256}</span>],
            [t('network.pin'), <span className={styles.code}>{c.spkiPin}</span>],
            [t('network.chain'), c.chain.map((x) => x.subject).join(' → ')],
            [t('network.advice'), c.advice],
          ];
          return (
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
          );
        }}
      </QueryView>
    </section>
  );
}

function Domains() {
  const t = useMessages(messages);
  const styles = useStyles();
  const id = useId();
  const domains = useQuery({
    queryKey: ['network', 'domains'],
    queryFn: () => api<{ domains: DomainEntry[] }>('GET', '/network/domains'),
  });
  return (
    <section className={styles.part} aria-labelledby={id}>
      <Text as="h3" block size={500} weight="semibold" id={id}>
        {t('network.allowlist')}
      </Text>
      <QueryView query={domains}>
        {(d) => (
          <div className={styles.scroll}>
            <Table aria-labelledby={id} size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('network.col.host')}</TableHeaderCell>
                  <TableHeaderCell>{t('network.col.port')}</TableHeaderCell>
                  <TableHeaderCell>{t('network.col.direction')}</TableHeaderCell>
                  <TableHeaderCell>{t('network.col.service')}</TableHeaderCell>
                  <TableHeaderCell>{t('network.col.purpose')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {d.domains.map((e) => (
                  <TableRow key={e.id}>
                    <TableCell>
                      <span className={styles.code}>{e.host}</span>
                    </TableCell>
                    <TableCell>{`${e.protocol}/${e.port}`}</TableCell>
                    <TableCell>{e.direction}</TableCell>
                    <TableCell>{e.service}</TableCell>
                    <TableCell>{e.purpose}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
      </QueryView>
    </section>
  );
}
