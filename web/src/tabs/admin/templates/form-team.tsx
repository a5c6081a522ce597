// The template form's team parts: Graph team settings, and owners, members and guests.
import { useMessages } from '../../../i18n/index.tsx';
import type { Principal, SettingsGroup, TeamSettings, TemplateDocument } from './api.ts';
import {
  CheckField,
  FieldGrid,
  Group,
  ListField,
  NumberField,
  optional,
  Repeater,
  SelectField,
  TextField,
  TriStateField,
} from './form-parts.tsx';
import * as M from './messages.ts';

type Update = (doc: TemplateDocument) => void;
type GroupKey =
  'memberSettings' | 'guestSettings' | 'messagingSettings' | 'funSettings' | 'discoverySettings';

// Graph's property names, per settings group; the labels are the property names themselves
// (admins meet them in Microsoft's documentation) with a readable caption.
const SETTINGS: Record<GroupKey, readonly string[]> = {
  memberSettings: [
    'allowCreateUpdateChannels',
    'allowCreatePrivateChannels',
    'allowDeleteChannels',
    'allowAddRemoveApps',
    'allowCreateUpdateRemoveTabs',
    'allowCreateUpdateRemoveConnectors',
  ],
  guestSettings: ['allowCreateUpdateChannels', 'allowDeleteChannels'],
  messagingSettings: [
    'allowUserEditMessages',
    'allowUserDeleteMessages',
    'allowOwnerDeleteMessages',
    'allowTeamMentions',
    'allowChannelMentions',
  ],
  funSettings: ['allowGiphy', 'allowStickersAndMemes', 'allowCustomMemes'],
  discoverySettings: ['showInTeamsSearchAndSuggestions'],
};

/** `allowCreateUpdateChannels` → `Allow create update channels`. */
export function captionOf(property: string): string {
  const words = property.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Drops undefined keys; an empty group becomes absent (Microsoft's defaults). */
function compact(group: SettingsGroup): SettingsGroup | undefined {
  const entries = Object.entries(group).filter(([, v]) => v !== undefined);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** Visibility, picture and the five Graph settings groups. */
export function TeamSettingsSection(props: {
  doc: TemplateDocument;
  onChange: Update;
  assetNames: string[];
}) {
  const t = useMessages(M);
  const { doc, onChange } = props;
  const team = doc.team;
  const setTeam = (next: TeamSettings) => onChange({ ...doc, team: next });
  const setSetting = (group: GroupKey, key: string, value: boolean | string | undefined) =>
    setTeam({ ...team, [group]: compact({ ...(team[group] ?? {}), [key]: value }) });
  const images = props.assetNames.filter((n) => /\.(png|jpe?g|gif|webp)$/i.test(n));
  return (
    <>
      <FieldGrid>
        <SelectField
          label={t('form.visibility')}
          value={team.visibility}
          options={[
            { value: 'private', label: t('form.visibilityPrivate') },
            { value: 'public', label: t('form.visibilityPublic') },
          ]}
          path="/team/visibility"
          onChange={(visibility) => setTeam({ ...team, visibility })}
        />
        <SelectField
          label={t('form.picture')}
          hint={t('form.pictureHint')}
          value={team.picture ?? ''}
          options={[
            { value: '', label: t('form.none') },
            ...[...new Set([...images, ...(team.picture ? [team.picture] : [])])].map((n) => ({
              value: n,
              label: n,
            })),
          ]}
          path="/team/picture"
          onChange={(v) => setTeam({ ...team, picture: optional(v) })}
        />
      </FieldGrid>
      {(Object.keys(SETTINGS) as GroupKey[]).map((group) => (
        <Group key={group} legend={t(`form.${group}`)}>
          <FieldGrid>
            {SETTINGS[group].map((key) => (
              <TriStateField
                key={key}
                label={captionOf(key)}
                value={team[group]?.[key] as boolean | undefined}
                onChange={(v) => setSetting(group, key, v)}
              />
            ))}
            {group === 'funSettings' ? (
              <SelectField
                label={captionOf('giphyContentRating')}
                value={(team.funSettings?.giphyContentRating as string | undefined) ?? ''}
                options={[
                  { value: '', label: t('form.default') },
                  { value: 'strict', label: 'strict' },
                  { value: 'moderate', label: 'moderate' },
                ]}
                onChange={(v) => setSetting('funSettings', 'giphyContentRating', optional(v))}
              />
            ) : null}
          </FieldGrid>
        </Group>
      ))}
    </>
  );
}

/** Permanent owners or members: users and groups. */
function PrincipalsEditor(props: {
  items: Principal[];
  path: string;
  onChange: (items: Principal[]) => void;
  addLabel: string;
}) {
  const t = useMessages(M);
  return (
    <Repeater
      items={props.items}
      onChange={props.onChange}
      create={(): Principal => ({ type: 'user', user: '' })}
      itemLabel={(p, i) =>
        t('form.principalItem', { n: i + 1, name: (p.type === 'user' ? p.user : p.groupId) || '…' })
      }
      addLabel={props.addLabel}
      max={100}
    >
      {(p, update, i) => (
        <FieldGrid>
          <SelectField
            label={t('form.principalType')}
            value={p.type}
            options={[
              { value: 'user', label: t('form.principalUser') },
              { value: 'group', label: t('form.principalGroup') },
            ]}
            onChange={(type) => update(type === 'user' ? { type, user: '' } : { type, groupId: '' })}
          />
          {p.type === 'user' ? (
            <TextField
              label={t('form.principalUserId')}
              required
              value={p.user}
              path={`${props.path}/${i}/user`}
              onChange={(user) => update({ type: 'user', user })}
            />
          ) : (
            <TextField
              label={t('form.principalGroupId')}
              required
              mono
              value={p.groupId}
              path={`${props.path}/${i}/groupId`}
              onChange={(groupId) => update({ type: 'group', groupId })}
            />
          )}
        </FieldGrid>
      )}
    </Repeater>
  );
}

/** Owners, members, guests and the sensitivity label. */
export function PeopleSection(props: { doc: TemplateDocument; onChange: Update }) {
  const t = useMessages(M);
  const { doc, onChange } = props;
  return (
    <>
      <FieldGrid>
        <NumberField
          label={t('form.minimumOwners')}
          min={1}
          max={10}
          value={doc.minimumOwners}
          path="/minimumOwners"
          onChange={(v) => onChange({ ...doc, minimumOwners: v ?? 1 })}
        />
        <TextField
          label={t('form.sensitivityLabel')}
          mono
          hint={t('form.sensitivityLabelHint')}
          value={doc.sensitivityLabelId}
          path="/sensitivityLabelId"
          onChange={(v) => onChange({ ...doc, sensitivityLabelId: optional(v) })}
        />
      </FieldGrid>
      <CheckField
        label={t('form.addRequesterAsOwner')}
        checked={doc.addRequesterAsOwner}
        onChange={(v) => onChange({ ...doc, addRequesterAsOwner: v })}
      />
      <Group legend={t('form.permanentOwners')}>
        <PrincipalsEditor
          items={doc.permanentOwners}
          path="/permanentOwners"
          addLabel={t('form.addOwner')}
          onChange={(permanentOwners) => onChange({ ...doc, permanentOwners })}
        />
      </Group>
      <Group legend={t('form.permanentMembers')}>
        <PrincipalsEditor
          items={doc.permanentMembers}
          path="/permanentMembers"
          addLabel={t('form.addMember')}
          onChange={(permanentMembers) => onChange({ ...doc, permanentMembers })}
        />
      </Group>
      <Group legend={t('form.guests')}>
        <CheckField
          label={t('form.guestsAllowed')}
          checked={doc.guests.allowed}
          onChange={(allowed) => onChange({ ...doc, guests: { ...doc.guests, allowed } })}
        />
        <ListField
          label={t('form.guestDomains')}
          hint={t('form.guestDomainsHint')}
          values={doc.guests.allowedDomains}
          path="/guests/allowedDomains"
          onChange={(allowedDomains) => onChange({ ...doc, guests: { ...doc.guests, allowedDomains } })}
        />
      </Group>
    </>
  );
}
