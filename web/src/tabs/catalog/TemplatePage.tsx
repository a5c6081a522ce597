import { Badge, Button, Link, makeStyles, Text, tokens } from '@fluentui/react-components';
import { ArrowLeftRegular } from '@fluentui/react-icons';
import { navigate } from '../../app/router.ts';
import { QueryView } from '../../components/states.tsx';
import { useMessages } from '../../i18n/index.tsx';
import {
  type CatalogTemplate,
  type ChannelContent,
  type TemplateChannel,
  type TemplatePlan,
  useAssetUrl,
  useCatalogTemplate,
} from './api.ts';
import { onRouterClick } from './CatalogHome.tsx';
import { type CatalogMessage, messages } from './messages.ts';
import { TemplateIcon } from './TemplateIcon.tsx';

const useStyles = makeStyles({
  page: { display: 'grid', gap: tokens.spacingVerticalXL },
  header: { display: 'flex', gap: tokens.spacingHorizontalL, alignItems: 'flex-start', flexWrap: 'wrap' },
  headerText: { display: 'grid', gap: tokens.spacingVerticalS, flex: '1 1 260px', minWidth: 0 },
  badges: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  muted: { color: tokens.colorNeutralForeground2 },
  section: {
    display: 'grid',
    alignContent: 'start',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow2,
  },
  list: {
    margin: 0,
    paddingInlineStart: tokens.spacingHorizontalXL,
    display: 'grid',
    gap: tokens.spacingVerticalS,
  },
  channel: { display: 'grid', gap: tokens.spacingVerticalXXS },
  channelTitle: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  shots: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  shot: {
    maxWidth: '100%',
    width: '480px',
    height: 'auto',
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  columns: {
    display: 'grid',
    gap: tokens.spacingHorizontalL,
    gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 320px), 1fr))',
  },
});

type T = (key: CatalogMessage, values?: Record<string, string | number>) => string;

function Screenshot(props: { path: string; alt: string }) {
  const styles = useStyles();
  const url = useAssetUrl(props.path);
  if (!url.data) return null;
  return <img className={styles.shot} src={url.data} alt={props.alt} />;
}

function contentLines(t: T, content: ChannelContent): string[] {
  return [
    ...content.tabs.map((tab) =>
      tab.plan
        ? t('template.plannerTab', { name: tab.displayName })
        : t('template.tab', { name: tab.displayName }),
    ),
    ...content.folders.map((folder) => t('template.folder', { name: folder })),
    ...content.files.map((file) => t('template.file', { name: file.path })),
    ...(content.welcomePost ? [t('template.welcomePost')] : []),
  ];
}

const MEMBERSHIP: Record<TemplateChannel['membershipType'], CatalogMessage> = {
  standard: 'template.standard',
  private: 'template.private',
  shared: 'template.shared',
};

function Channel(props: {
  name: string;
  kind: CatalogMessage;
  description?: string;
  content: ChannelContent;
}) {
  const t = useMessages(messages);
  const styles = useStyles();
  const lines = contentLines(t, props.content);
  return (
    <li className={styles.channel}>
      <span className={styles.channelTitle}>
        <Text weight="semibold">{props.name}</Text>
        <Badge appearance="outline" shape="rounded">
          {t(props.kind)}
        </Badge>
      </span>
      {props.description ? <Text className={styles.muted}>{props.description}</Text> : null}
      {lines.length > 0 ? (
        <ul className={styles.list}>
          {lines.map((line) => (
            <li key={line}>
              <Text size={200}>{line}</Text>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function Plan(props: { plan: TemplatePlan }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const { plan } = props;
  return (
    <div className={styles.channel}>
      <Text as="h4" weight="semibold">
        {plan.title}
      </Text>
      <ul className={styles.list}>
        {plan.buckets.map((bucket) => {
          const tasks = plan.tasks.filter((task) => task.bucket === bucket.name);
          return (
            <li key={bucket.name}>
              <Text>{t('template.bucket', { name: bucket.name, count: tasks.length })}</Text>
              {tasks.length > 0 ? (
                <ul className={styles.list}>
                  {tasks.map((task) => (
                    <li key={task.title}>
                      <Text size={200}>
                        {task.dueInDays === undefined
                          ? task.title
                          : t('template.task', { title: task.title, days: task.dueInDays })}
                      </Text>
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function settingsOf(t: T, template: CatalogTemplate): string[] {
  const d = template.document;
  const member = d.team.memberSettings ?? {};
  const out = [
    d.team.visibility === 'public' ? t('template.public') : t('template.privateTeam'),
    d.guests.allowed
      ? d.guests.allowedDomains.length > 0
        ? t('template.guestsFrom', { domains: d.guests.allowedDomains.join(', ') })
        : t('template.guestsAllowed')
      : t('template.noGuests'),
    t('template.minimumOwners', { count: d.minimumOwners }),
  ];
  if (d.addRequesterAsOwner) out.push(t('template.youOwn'));
  if (d.permanentOwners.length > 0)
    out.push(t('template.permanentOwners', { count: d.permanentOwners.length }));
  if (d.permanentMembers.length > 0)
    out.push(t('template.permanentMembers', { count: d.permanentMembers.length }));
  if (member.allowCreateUpdateChannels === false) out.push(t('template.membersNoChannels'));
  if (member.allowCreatePrivateChannels === false) out.push(t('template.membersNoPrivateChannels'));
  if (member.allowAddRemoveApps === false) out.push(t('template.membersNoApps'));
  return out;
}

function TemplateDetails(props: { template: CatalogTemplate }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const { template } = props;
  const d = template.document;
  const requestPath = `/tabs/catalog/${encodeURIComponent(template.slug)}/request`;
  return (
    <div className={styles.page}>
      <div className={styles.header}>
        <TemplateIcon path={template.icon} size={72} />
        <div className={styles.headerText}>
          <Text as="h1" size={700} weight="semibold">
            {template.name}
          </Text>
          <div className={styles.badges}>
            <Badge appearance="filled" shape="rounded">
              {template.category}
            </Badge>
            {template.tags.map((tag) => (
              <Badge key={tag} appearance="tint" shape="rounded">
                {tag}
              </Badge>
            ))}
          </div>
          <Text>{template.description}</Text>
          <Text className={styles.muted}>
            {template.approvalStages === 0
              ? t('template.noApproval')
              : t('template.approvalStages', { count: template.approvalStages })}
          </Text>
          <div>
            <Button appearance="primary" size="large" onClick={() => navigate(requestPath)}>
              {t('template.request')}
            </Button>
          </div>
        </div>
      </div>

      {template.screenshots.length > 0 ? (
        <section className={styles.section} aria-labelledby="tpl-shots">
          <Text as="h2" size={500} weight="semibold" id="tpl-shots">
            {t('template.screenshots')}
          </Text>
          <div className={styles.shots}>
            {template.screenshots.map((path, i) => (
              <Screenshot
                key={path}
                path={path}
                alt={t('template.screenshotAlt', { name: template.name, n: i + 1 })}
              />
            ))}
          </div>
        </section>
      ) : null}

      <Text as="h2" size={500} weight="semibold">
        {t('template.contains')}
      </Text>
      <div className={styles.columns}>
        <section className={styles.section} aria-labelledby="tpl-channels">
          <Text as="h3" size={400} weight="semibold" id="tpl-channels">
            {t('template.channels', { count: d.channels.length + 1 })}
          </Text>
          <ul className={styles.list}>
            <Channel name={t('template.general')} kind="template.standard" content={d.generalChannel} />
            {d.channels.map((channel) => (
              <Channel
                key={channel.displayName}
                name={channel.displayName}
                kind={MEMBERSHIP[channel.membershipType]}
                description={channel.description}
                content={channel}
              />
            ))}
          </ul>
        </section>

        <section className={styles.section} aria-labelledby="tpl-plans">
          <Text as="h3" size={400} weight="semibold" id="tpl-plans">
            {t('template.planner')}
          </Text>
          {d.planner.plans.length === 0 ? (
            <Text className={styles.muted}>{t('template.noPlan')}</Text>
          ) : (
            d.planner.plans.map((plan) => <Plan key={plan.title} plan={plan} />)
          )}
        </section>

        <section className={styles.section} aria-labelledby="tpl-apps">
          <Text as="h3" size={400} weight="semibold" id="tpl-apps">
            {t('template.apps')}
          </Text>
          {d.apps.length === 0 ? (
            <Text className={styles.muted}>{t('template.noApps')}</Text>
          ) : (
            <ul className={styles.list}>
              {d.apps.map((app) => (
                <li key={app.teamsAppId}>
                  <Text>{app.displayName ?? app.teamsAppId}</Text>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className={styles.section} aria-labelledby="tpl-settings">
          <Text as="h3" size={400} weight="semibold" id="tpl-settings">
            {t('template.settings')}
          </Text>
          <ul className={styles.list}>
            {settingsOf(t, template).map((line) => (
              <li key={line}>
                <Text>{line}</Text>
              </li>
            ))}
          </ul>
        </section>

        <section className={styles.section} aria-labelledby="tpl-fields">
          <Text as="h3" size={400} weight="semibold" id="tpl-fields">
            {t('template.fields')}
          </Text>
          {template.metadataFields.length === 0 ? (
            <Text className={styles.muted}>{t('template.noFields')}</Text>
          ) : (
            <ul className={styles.list}>
              {template.metadataFields.map((field) => (
                <li key={field.key}>
                  <Text>
                    {field.required ? t('template.fieldRequired', { label: field.label }) : field.label}
                  </Text>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}

/** A template's page: what the team will contain, its screenshots, and the way to request it. */
export default function TemplatePage(props: { slug: string }) {
  const t = useMessages(messages);
  const template = useCatalogTemplate(props.slug);
  return (
    <>
      <Link href="/tabs/catalog" onClick={onRouterClick('/tabs/catalog')}>
        <ArrowLeftRegular aria-hidden /> {t('template.back')}
      </Link>
      <QueryView query={template} loadingLabel={t('template.loading')}>
        {(data) => <TemplateDetails template={data} />}
      </QueryView>
    </>
  );
}
