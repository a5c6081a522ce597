import { makeStyles, Select, Tab, TabList, Text, tokens } from '@fluentui/react-components';
import { lazy, Suspense, useId } from 'react';
import { navigate, useTabPath } from '../../app/router.ts';
import { type Session, useSession } from '../../app/session.tsx';
import { ErrorState, Loading } from '../../components/states.tsx';
import { useMessages } from '../../i18n/index.tsx';
import { messages, type MessageKey } from './messages.ts';

// Each section is its own chunk, shown to whoever holds its scope (the API checks every call again).
// The catalog sections (templates, metadata, policies) and the operations sections live in their
// own folders; each folder's default export is the section.
interface SectionDef {
  id: string;
  label: MessageKey;
  group: 'catalog' | 'operations';
  visible(session: Session): boolean;
  Component: React.LazyExoticComponent<() => React.JSX.Element>;
}

const SECTIONS: readonly SectionDef[] = [
  {
    id: 'templates',
    label: 'section.templates',
    group: 'catalog',
    visible: (s) => s.has('templates:write'),
    Component: lazy(() => import('./templates/TemplatesSection.tsx')),
  },
  {
    id: 'metadata',
    label: 'section.metadata',
    group: 'catalog',
    visible: (s) => s.has('templates:write'),
    Component: lazy(() => import('./metadata/MetadataSection.tsx')),
  },
  {
    id: 'policies',
    label: 'section.policies',
    group: 'catalog',
    visible: (s) => s.has('templates:write'),
    Component: lazy(() => import('./policies/PoliciesSection.tsx')),
  },
  {
    id: 'roles',
    label: 'section.roles',
    group: 'operations',
    visible: (s) => s.has('roles:manage'),
    Component: lazy(() => import('./roles/RolesSection.tsx')),
  },
  {
    id: 'tokens',
    label: 'section.tokens',
    group: 'operations',
    visible: (s) => s.has('tokens:manage'),
    Component: lazy(() => import('./tokens/TokensSection.tsx')),
  },
  {
    id: 'webhooks',
    label: 'section.webhooks',
    group: 'operations',
    visible: (s) => s.has('webhooks:manage'),
    Component: lazy(() => import('./webhooks/WebhooksSection.tsx')),
  },
  {
    id: 'settings',
    label: 'section.settings',
    group: 'operations',
    visible: (s) => s.has('roles:manage'),
    Component: lazy(() => import('./settings/SettingsSection.tsx')),
  },
  {
    id: 'app-package',
    label: 'section.appPackage',
    group: 'operations',
    visible: (s) => s.has('roles:manage'),
    Component: lazy(() => import('./app-package/AppPackageSection.tsx')),
  },
  {
    id: 'network',
    label: 'section.network',
    group: 'operations',
    visible: () => true,
    Component: lazy(() => import('./network/NetworkSection.tsx')),
  },
];

const WIDE = '@media (min-width: 768px)';

const useStyles = makeStyles({
  page: { display: 'grid', gap: tokens.spacingVerticalL },
  layout: {
    display: 'grid',
    gap: tokens.spacingHorizontalXL,
    gridTemplateColumns: 'minmax(0, 1fr)',
    [WIDE]: { gridTemplateColumns: '200px minmax(0, 1fr)' },
  },
  // The vertical list on wide screens, the dropdown on narrow ones: one of the two is displayed.
  side: { display: 'none', [WIDE]: { display: 'block' } },
  narrow: { display: 'block', [WIDE]: { display: 'none' } },
  content: { minWidth: 0 },
});

/** Catalog managers and tenant admins: the sections their scopes open, one page per section. */
export default function AdminTab() {
  const t = useMessages(messages);
  const styles = useStyles();
  const session = useSession();
  const [segment] = useTabPath();
  const selectId = useId();
  const visible = SECTIONS.filter((s) => s.visible(session));
  const current = SECTIONS.find((s) => s.id === segment) ?? visible[0];
  const go = (id: string) => navigate(`/tabs/admin/${id}`);
  return (
    <div className={styles.page}>
      <Text as="h1" size={700} weight="semibold">
        {t('title')}
      </Text>
      <div className={styles.layout}>
        <nav className={styles.side} aria-label={t('sections')}>
          <TabList vertical selectedValue={current?.id} onTabSelect={(_e, d) => go(String(d.value))}>
            {visible.map((s) => (
              <Tab key={s.id} value={s.id}>
                {t(s.label)}
              </Tab>
            ))}
          </TabList>
        </nav>
        <div className={styles.narrow}>
          <label htmlFor={selectId}>
            <Text weight="semibold">{t('sections')}</Text>
          </label>
          <Select id={selectId} value={current?.id ?? ''} onChange={(_e, d) => go(d.value)}>
            {visible.map((s) => (
              <option key={s.id} value={s.id}>
                {t(s.label)}
              </option>
            ))}
          </Select>
        </div>
        <div className={styles.content}>
          {!current ? (
            <ErrorState error={new Error(t('noSection'))} />
          ) : !current.visible(session) ? (
            <ErrorState error={new Error(t('forbidden', { section: t(current.label) }))} />
          ) : (
            <Suspense fallback={<Loading />}>
              <current.Component />
            </Suspense>
          )}
        </div>
      </div>
    </div>
  );
}
