// The template form's channel parts: the General channel's content, the channels, and the apps.
import { useMessages } from '../../../i18n/index.tsx';
import type {
  ChannelContent,
  MembershipType,
  TemplateChannel,
  TemplateDocument,
  TemplateTab,
} from './api.ts';
import {
  CheckField,
  FieldGrid,
  Group,
  ListField,
  optional,
  Repeater,
  SelectField,
  TextField,
} from './form-parts.tsx';
import * as M from './messages.ts';

type Update = (doc: TemplateDocument) => void;

/** The tabs pinned in a channel. */
function TabsEditor(props: { tabs: TemplateTab[]; path: string; onChange: (tabs: TemplateTab[]) => void }) {
  const t = useMessages(M);
  return (
    <Repeater
      items={props.tabs}
      onChange={props.onChange}
      create={(): TemplateTab => ({ displayName: '', teamsAppId: 'com.microsoft.teamspace.tab.web' })}
      itemLabel={(tab, i) => t('form.tabItem', { n: i + 1, name: tab.displayName || '…' })}
      addLabel={t('form.addTab')}
      max={20}
    >
      {(tab, update, i) => {
        const at = `${props.path}/${i}`;
        const config = tab.configuration ?? {};
        const setUrl = (key: 'contentUrl' | 'websiteUrl', value: string) => {
          const next = { ...config, [key]: optional(value) };
          const empty = Object.values(next).every((v) => v === undefined);
          update({ ...tab, configuration: empty ? undefined : next });
        };
        return (
          <FieldGrid>
            <TextField
              label={t('form.tabName')}
              required
              value={tab.displayName}
              path={`${at}/displayName`}
              onChange={(v) => update({ ...tab, displayName: v })}
            />
            <TextField
              label={t('form.tabApp')}
              required
              mono
              hint={t('form.tabAppHint')}
              value={tab.teamsAppId}
              path={`${at}/teamsAppId`}
              onChange={(v) => update({ ...tab, teamsAppId: v })}
            />
            <TextField
              label={t('form.tabContentUrl')}
              value={config.contentUrl}
              path={`${at}/configuration/contentUrl`}
              onChange={(v) => setUrl('contentUrl', v)}
            />
            <TextField
              label={t('form.tabWebsiteUrl')}
              value={config.websiteUrl}
              path={`${at}/configuration/websiteUrl`}
              onChange={(v) => setUrl('websiteUrl', v)}
            />
            <TextField
              label={t('form.tabPlan')}
              hint={t('form.tabPlanHint')}
              value={tab.plan}
              path={`${at}/plan`}
              onChange={(v) => update({ ...tab, plan: optional(v) })}
            />
          </FieldGrid>
        );
      }}
    </Repeater>
  );
}

/** Tabs, folders, files and the welcome post of a channel (General or another). */
function ContentEditor<T extends ChannelContent>(props: {
  value: T;
  path: string;
  onChange: (v: T) => void;
}) {
  const t = useMessages(M);
  const { value, path, onChange } = props;
  const post = value.welcomePost;
  return (
    <>
      <Group legend={t('form.tabs')}>
        <TabsEditor
          tabs={value.tabs}
          path={`${path}/tabs`}
          onChange={(tabs) => onChange({ ...value, tabs })}
        />
      </Group>
      <ListField
        label={t('form.folders')}
        hint={t('form.foldersHint')}
        separator="line"
        values={value.folders}
        path={`${path}/folders`}
        onChange={(folders) => onChange({ ...value, folders })}
      />
      <Group legend={t('form.files')}>
        <Repeater
          items={value.files}
          onChange={(files) => onChange({ ...value, files })}
          create={() => ({ path: '', asset: '' })}
          itemLabel={(f, i) => t('form.fileItem', { n: i + 1, name: f.path || '…' })}
          addLabel={t('form.addFile')}
          max={100}
        >
          {(file, update, i) => (
            <FieldGrid>
              <TextField
                label={t('form.filePath')}
                required
                value={file.path}
                path={`${path}/files/${i}/path`}
                onChange={(v) => update({ ...file, path: v })}
              />
              <TextField
                label={t('form.fileAsset')}
                required
                hint={t('form.fileAssetHint')}
                value={file.asset}
                path={`${path}/files/${i}/asset`}
                onChange={(v) => update({ ...file, asset: v })}
              />
            </FieldGrid>
          )}
        </Repeater>
      </Group>
      <Group legend={t('form.welcomePost')}>
        <CheckField
          label={t('form.welcomePostOn')}
          checked={post !== undefined}
          onChange={(on) =>
            onChange({ ...value, welcomePost: on ? { content: '', contentType: 'text' } : undefined })
          }
        />
        {post ? (
          <FieldGrid>
            <TextField
              label={t('form.postSubject')}
              value={post.subject}
              path={`${path}/welcomePost/subject`}
              onChange={(v) => onChange({ ...value, welcomePost: { ...post, subject: optional(v) } })}
            />
            <SelectField
              label={t('form.postType')}
              value={post.contentType}
              options={[
                { value: 'text', label: t('form.postText') },
                { value: 'html', label: t('form.postHtml') },
              ]}
              onChange={(v) => onChange({ ...value, welcomePost: { ...post, contentType: v } })}
            />
            <TextField
              label={t('form.postContent')}
              required
              multiline
              value={post.content}
              path={`${path}/welcomePost/content`}
              onChange={(v) => onChange({ ...value, welcomePost: { ...post, content: v } })}
            />
          </FieldGrid>
        ) : null}
      </Group>
    </>
  );
}

/** The General channel: only its content can be templated. */
export function GeneralChannelSection(props: { doc: TemplateDocument; onChange: Update }) {
  const { doc, onChange } = props;
  return (
    <ContentEditor
      value={doc.generalChannel}
      path="/generalChannel"
      onChange={(generalChannel) => onChange({ ...doc, generalChannel })}
    />
  );
}

const newChannel = (): TemplateChannel => ({
  displayName: '',
  membershipType: 'standard',
  isFavoriteByDefault: false,
  owners: [],
  ownersIncludeRequester: true,
  tabs: [],
  folders: [],
  files: [],
});

/** The channels created besides General. */
export function ChannelsSection(props: { doc: TemplateDocument; onChange: Update }) {
  const t = useMessages(M);
  const { doc, onChange } = props;
  const types: { value: MembershipType; label: string }[] = [
    { value: 'standard', label: t('form.channelStandard') },
    { value: 'private', label: t('form.channelPrivate') },
    { value: 'shared', label: t('form.channelShared') },
  ];
  return (
    <Repeater
      items={doc.channels}
      onChange={(channels) => onChange({ ...doc, channels })}
      create={newChannel}
      itemLabel={(c, i) => t('form.channelItem', { n: i + 1, name: c.displayName || '…' })}
      addLabel={t('form.addChannel')}
      max={200}
    >
      {(channel, update, i) => {
        const at = `/channels/${i}`;
        return (
          <>
            <FieldGrid>
              <TextField
                label={t('form.channelName')}
                required
                value={channel.displayName}
                path={`${at}/displayName`}
                onChange={(v) => update({ ...channel, displayName: v })}
              />
              <SelectField
                label={t('form.channelType')}
                value={channel.membershipType}
                options={types}
                path={`${at}/membershipType`}
                onChange={(v) => update({ ...channel, membershipType: v })}
              />
              <TextField
                label={t('form.channelDescription')}
                value={channel.description}
                path={`${at}/description`}
                onChange={(v) => update({ ...channel, description: optional(v) })}
              />
            </FieldGrid>
            <CheckField
              label={t('form.channelFavorite')}
              checked={channel.isFavoriteByDefault}
              onChange={(v) => update({ ...channel, isFavoriteByDefault: v })}
            />
            {channel.membershipType === 'standard' ? null : (
              <>
                <ListField
                  label={t('form.channelOwners')}
                  hint={t('form.usersHint')}
                  values={channel.owners}
                  path={`${at}/owners`}
                  onChange={(owners) => update({ ...channel, owners })}
                />
                <CheckField
                  label={t('form.channelOwnersRequester')}
                  checked={channel.ownersIncludeRequester}
                  onChange={(v) => update({ ...channel, ownersIncludeRequester: v })}
                />
              </>
            )}
            <ContentEditor value={channel} path={at} onChange={update} />
          </>
        );
      }}
    </Repeater>
  );
}

/** Teams apps installed in the team. */
export function AppsSection(props: { doc: TemplateDocument; onChange: Update }) {
  const t = useMessages(M);
  const { doc, onChange } = props;
  return (
    <Repeater
      items={doc.apps}
      onChange={(apps) => onChange({ ...doc, apps })}
      create={(): TemplateDocument['apps'][number] => ({ teamsAppId: '' })}
      itemLabel={(a, i) => t('form.appItem', { n: i + 1, name: a.displayName || a.teamsAppId || '…' })}
      addLabel={t('form.addApp')}
      max={50}
    >
      {(app, update, i) => (
        <FieldGrid>
          <TextField
            label={t('form.appId')}
            required
            mono
            value={app.teamsAppId}
            path={`/apps/${i}/teamsAppId`}
            onChange={(v) => update({ ...app, teamsAppId: v })}
          />
          <TextField
            label={t('form.appName')}
            value={app.displayName}
            path={`/apps/${i}/displayName`}
            onChange={(v) => update({ ...app, displayName: optional(v) })}
          />
        </FieldGrid>
      )}
    </Repeater>
  );
}
