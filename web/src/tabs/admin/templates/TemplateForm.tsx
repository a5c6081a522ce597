// The template editor's form view: every part of a template document, section by section.
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Badge,
  makeStyles,
  Text,
  tokens,
} from '@fluentui/react-components';
import { type ReactNode, useContext, useEffect, useState } from 'react';
import { useMessages } from '../../../i18n/index.tsx';
import { navigate } from '../../../app/router.ts';
import type {
  Approver,
  ApprovalStage,
  MetadataFieldDefinition,
  MetadataFieldType,
  TemplateDocument,
  TenantField,
} from './api.ts';
import { METADATA_FIELD_TYPES } from './api.ts';
import { AppsSection, ChannelsSection, GeneralChannelSection } from './form-channels.tsx';
import {
  CheckField,
  FieldGrid,
  Group,
  IssuesContext,
  ListField,
  NumberField,
  optional,
  Repeater,
  SelectField,
  TextField,
} from './form-parts.tsx';
import { PlannerSection } from './form-planner.tsx';
import { PeopleSection, TeamSettingsSection } from './form-team.tsx';
import * as M from './messages.ts';

type Update = (doc: TemplateDocument) => void;

const useStyles = makeStyles({
  panel: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    paddingBottom: tokens.spacingVerticalL,
  },
  checks: { display: 'flex', flexDirection: 'column' },
  headerRow: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
});

function GeneralSection(props: { doc: TemplateDocument; onChange: Update; assetNames: string[] }) {
  const t = useMessages(M);
  const { doc, onChange } = props;
  return (
    <>
      <FieldGrid>
        <TextField
          label={t('form.name')}
          required
          value={doc.name}
          path="/name"
          onChange={(name) => onChange({ ...doc, name })}
        />
        <TextField
          label={t('form.slug')}
          readOnly
          mono
          hint={t('form.slugHint')}
          value={doc.slug}
          path="/slug"
          onChange={() => undefined}
        />
        <TextField
          label={t('form.category')}
          value={doc.category}
          path="/category"
          onChange={(category) => onChange({ ...doc, category })}
        />
        <TextField
          label={t('form.language')}
          hint={t('form.languageHint')}
          value={doc.language}
          path="/language"
          onChange={(language) => onChange({ ...doc, language })}
        />
      </FieldGrid>
      <TextField
        label={t('form.description')}
        multiline
        value={doc.description}
        path="/description"
        onChange={(description) => onChange({ ...doc, description })}
      />
      <FieldGrid>
        <ListField
          label={t('form.tags')}
          hint={t('form.commaSeparated')}
          values={doc.tags}
          path="/tags"
          onChange={(tags) => onChange({ ...doc, tags })}
        />
        <SelectField
          label={t('form.icon')}
          hint={t('form.iconHint')}
          value={doc.icon ?? ''}
          options={[
            { value: '', label: t('form.none') },
            ...[...new Set([...props.assetNames, ...(doc.icon ? [doc.icon] : [])])].map((n) => ({
              value: n,
              label: n,
            })),
          ]}
          path="/icon"
          onChange={(v) => onChange({ ...doc, icon: optional(v) })}
        />
        <ListField
          label={t('form.screenshots')}
          hint={t('form.screenshotsHint')}
          values={doc.screenshots}
          path="/screenshots"
          onChange={(screenshots) => onChange({ ...doc, screenshots })}
        />
      </FieldGrid>
    </>
  );
}

function NamingSection(props: { doc: TemplateDocument; onChange: Update }) {
  const t = useMessages(M);
  const { doc, onChange } = props;
  const naming = doc.naming;
  const set = (key: 'mailNickname' | 'description' | 'welcomeMessage', v: string) =>
    onChange({ ...doc, naming: { ...naming, [key]: optional(v) } });
  return (
    <>
      <Text>{t('form.namingIntro')}</Text>
      <TextField
        label={t('form.namingDisplayName')}
        required
        mono
        multiline
        rows={2}
        value={naming.displayName}
        path="/naming/displayName"
        onChange={(displayName) => onChange({ ...doc, naming: { ...naming, displayName } })}
      />
      <TextField
        label={t('form.namingMailNickname')}
        mono
        multiline
        rows={2}
        value={naming.mailNickname}
        path="/naming/mailNickname"
        onChange={(v) => set('mailNickname', v)}
      />
      <TextField
        label={t('form.namingDescription')}
        mono
        multiline
        rows={2}
        value={naming.description}
        path="/naming/description"
        onChange={(v) => set('description', v)}
      />
      <TextField
        label={t('form.namingWelcome')}
        mono
        multiline
        value={naming.welcomeMessage}
        path="/naming/welcomeMessage"
        onChange={(v) => set('welcomeMessage', v)}
      />
      <div>
        <a
          href={`/tabs/admin/policies?template=${encodeURIComponent(doc.slug)}`}
          onClick={(e) => {
            e.preventDefault();
            navigate(`/tabs/admin/policies?template=${encodeURIComponent(doc.slug)}`);
          }}
        >
          {t('form.namingTry')}
        </a>
      </div>
    </>
  );
}

/** A metadata field definition (template-only fields; the tenant's are edited under Metadata fields). */
export function FieldDefinitionFields(props: {
  field: MetadataFieldDefinition;
  path: string;
  update: (f: MetadataFieldDefinition) => void;
  keyReadOnly?: boolean;
}) {
  const t = useMessages(M);
  const { field, path, update } = props;
  const hasChoices = field.type === 'choice' || field.type === 'multi_choice';
  return (
    <>
      <FieldGrid>
        <TextField
          label={t('form.fieldKey')}
          required
          mono
          readOnly={props.keyReadOnly ?? false}
          hint={t('form.fieldKeyHint')}
          value={field.key}
          path={`${path}/key`}
          onChange={(key) => update({ ...field, key })}
        />
        <TextField
          label={t('form.fieldLabel')}
          required
          value={field.label}
          path={`${path}/label`}
          onChange={(label) => update({ ...field, label })}
        />
        <SelectField
          label={t('form.fieldType')}
          value={field.type}
          options={METADATA_FIELD_TYPES.map((v) => ({ value: v, label: t(`fieldType.${v}`) }))}
          path={`${path}/type`}
          onChange={(type: MetadataFieldType) => update({ ...field, type })}
        />
        <TextField
          label={t('form.fieldHelp')}
          value={field.helpText}
          path={`${path}/helpText`}
          onChange={(v) => update({ ...field, helpText: optional(v) })}
        />
      </FieldGrid>
      <CheckField
        label={t('form.fieldRequired')}
        checked={field.required}
        onChange={(required) => update({ ...field, required })}
      />
      {hasChoices ? (
        <ListField
          label={t('form.fieldChoices')}
          hint={t('form.fieldChoicesHint')}
          separator="line"
          mono
          values={(field.choices ?? []).map((c) =>
            c.label === c.value ? c.value : `${c.value} = ${c.label}`,
          )}
          path={`${path}/choices`}
          onChange={(lines) =>
            update({
              ...field,
              choices: lines.length
                ? lines.map((line) => {
                    const at = line.indexOf('=');
                    const value = (at < 0 ? line : line.slice(0, at)).trim();
                    const label = (at < 0 ? line : line.slice(at + 1)).trim();
                    return { value, label: label || value };
                  })
                : undefined,
            })
          }
        />
      ) : null}
    </>
  );
}

function MetadataSection(props: { doc: TemplateDocument; onChange: Update; fields: TenantField[] }) {
  const t = useMessages(M);
  const styles = useStyles();
  const { doc, onChange } = props;
  const optionalFields = props.fields.filter((f) => f.appliesTo !== null);
  const everywhere = props.fields.filter((f) => f.appliesTo === null);
  const toggle = (key: string, on: boolean) =>
    onChange({
      ...doc,
      metadataFieldRefs: on
        ? [...doc.metadataFieldRefs, key]
        : doc.metadataFieldRefs.filter((k) => k !== key),
    });
  const known = new Set(props.fields.map((f) => f.key));
  return (
    <>
      <Group legend={t('form.fieldRefs')}>
        {everywhere.length ? (
          <Text>{t('form.fieldRefsAll', { fields: everywhere.map((f) => f.label).join(', ') })}</Text>
        ) : null}
        <div className={styles.checks}>
          {[
            ...optionalFields,
            ...doc.metadataFieldRefs.filter((k) => !known.has(k)).map((key) => ({ key, label: key })),
          ].map((f) => (
            <CheckField
              key={f.key}
              label={`${f.label} (${f.key})`}
              checked={doc.metadataFieldRefs.includes(f.key)}
              onChange={(on) => toggle(f.key, on)}
            />
          ))}
        </div>
      </Group>
      <Group legend={t('form.templateFields')}>
        <Repeater
          items={doc.metadataFields}
          onChange={(metadataFields) => onChange({ ...doc, metadataFields })}
          create={(): MetadataFieldDefinition => ({ key: '', label: '', type: 'text', required: false })}
          itemLabel={(f, i) => t('form.fieldItem', { n: i + 1, name: f.label || f.key || '…' })}
          addLabel={t('form.addField')}
          max={50}
        >
          {(field, update, i) => (
            <FieldDefinitionFields field={field} path={`/metadataFields/${i}`} update={update} />
          )}
        </Repeater>
      </Group>
    </>
  );
}

function ApproverFields(props: { approver: Approver; path: string; update: (a: Approver) => void }) {
  const t = useMessages(M);
  const { approver, path, update } = props;
  const change = (type: Approver['type']) =>
    update(
      type === 'user'
        ? { type, user: '' }
        : type === 'group'
          ? { type, groupId: '' }
          : type === 'rule'
            ? { type, expression: '' }
            : { type },
    );
  return (
    <FieldGrid>
      <SelectField
        label={t('form.approverType')}
        value={approver.type}
        options={[
          { value: 'manager', label: t('form.approverManager') },
          { value: 'user', label: t('form.principalUser') },
          { value: 'group', label: t('form.principalGroup') },
          { value: 'rule', label: t('form.approverRule') },
        ]}
        onChange={change}
      />
      {approver.type === 'user' ? (
        <TextField
          label={t('form.principalUserId')}
          required
          value={approver.user}
          path={`${path}/user`}
          onChange={(user) => update({ type: 'user', user })}
        />
      ) : approver.type === 'group' ? (
        <TextField
          label={t('form.principalGroupId')}
          required
          mono
          value={approver.groupId}
          path={`${path}/groupId`}
          onChange={(groupId) => update({ type: 'group', groupId })}
        />
      ) : approver.type === 'rule' ? (
        <TextField
          label={t('form.approverExpression')}
          required
          mono
          multiline
          hint={t('form.approverExpressionHint')}
          value={approver.expression}
          path={`${path}/expression`}
          onChange={(expression) => update({ type: 'rule', expression })}
        />
      ) : null}
    </FieldGrid>
  );
}

function PolicySection(props: { doc: TemplateDocument; onChange: Update }) {
  const t = useMessages(M);
  const { doc, onChange } = props;
  const approval = doc.approval;
  const setStages = (stages: ApprovalStage[]) => onChange({ ...doc, approval: { ...approval, stages } });
  return (
    <>
      <TextField
        label={t('form.audienceRule')}
        mono
        multiline
        rows={2}
        hint={t('form.audienceRuleHint')}
        value={doc.audience.rule}
        path="/audience/rule"
        onChange={(rule) => onChange({ ...doc, audience: { rule } })}
      />
      <FieldGrid>
        <NumberField
          label={t('form.reminderAfterHours')}
          min={1}
          max={720}
          value={approval.reminderAfterHours}
          path="/approval/reminderAfterHours"
          onChange={(v) => onChange({ ...doc, approval: { ...approval, reminderAfterHours: v ?? 24 } })}
        />
        <NumberField
          label={t('form.expireAfterDays')}
          min={1}
          max={90}
          value={approval.expireAfterDays}
          path="/approval/expireAfterDays"
          onChange={(v) => onChange({ ...doc, approval: { ...approval, expireAfterDays: v ?? 14 } })}
        />
      </FieldGrid>
      <Group legend={t('form.stages')}>
        {approval.stages.length === 0 ? <Text>{t('form.noStages')}</Text> : null}
        <Repeater
          items={approval.stages}
          onChange={setStages}
          create={(): ApprovalStage => ({ name: '', approvers: [{ type: 'manager' }], allowEdit: false })}
          itemLabel={(s, i) => t('form.stageItem', { n: i + 1, name: s.name || '…' })}
          addLabel={t('form.addStage')}
          max={5}
        >
          {(stage, update, i) => (
            <>
              <TextField
                label={t('form.stageName')}
                required
                value={stage.name}
                path={`/approval/stages/${i}/name`}
                onChange={(name) => update({ ...stage, name })}
              />
              <CheckField
                label={t('form.stageAllowEdit')}
                checked={stage.allowEdit}
                onChange={(allowEdit) => update({ ...stage, allowEdit })}
              />
              <Repeater
                items={stage.approvers}
                onChange={(approvers) => update({ ...stage, approvers })}
                create={(): Approver => ({ type: 'manager' })}
                itemLabel={(a, j) => t('form.approverItem', { n: j + 1, type: t(`approver.${a.type}`) })}
                addLabel={t('form.addApprover')}
                max={10}
              >
                {(approver, setApprover, j) => (
                  <ApproverFields
                    approver={approver}
                    path={`/approval/stages/${i}/approvers/${j}`}
                    update={setApprover}
                  />
                )}
              </Repeater>
            </>
          )}
        </Repeater>
      </Group>
    </>
  );
}

type SectionId =
  | 'general'
  | 'team'
  | 'generalChannel'
  | 'channels'
  | 'apps'
  | 'planner'
  | 'people'
  | 'naming'
  | 'metadata'
  | 'policy';

// The document properties each section edits: its header counts the issues under them.
const SECTION_PATHS: Record<SectionId, readonly string[]> = {
  general: [
    '/name',
    '/slug',
    '/description',
    '/category',
    '/language',
    '/tags',
    '/icon',
    '/screenshots',
    '/schemaVersion',
  ],
  team: ['/team'],
  generalChannel: ['/generalChannel'],
  channels: ['/channels'],
  apps: ['/apps'],
  planner: ['/planner'],
  people: [
    '/permanentOwners',
    '/permanentMembers',
    '/minimumOwners',
    '/addRequesterAsOwner',
    '/guests',
    '/sensitivityLabelId',
  ],
  naming: ['/naming'],
  metadata: ['/metadataFieldRefs', '/metadataFields'],
  policy: ['/audience', '/approval'],
};

/** The section a JSON Pointer belongs to (issues of the whole document go to General). */
export function sectionOf(pointer: string): SectionId {
  for (const [id, prefixes] of Object.entries(SECTION_PATHS) as [SectionId, readonly string[]][]) {
    if (prefixes.some((p) => pointer === p || pointer.startsWith(`${p}/`))) return id;
  }
  return 'general';
}

/** The form view of a draft. */
export function TemplateForm(props: {
  doc: TemplateDocument;
  onChange: Update;
  assetNames: string[];
  fields: TenantField[];
}) {
  const t = useMessages(M);
  const styles = useStyles();
  const issues = useContext(IssuesContext);
  const counts = new Map<SectionId, number>();
  for (const path of issues.keys()) counts.set(sectionOf(path), (counts.get(sectionOf(path)) ?? 0) + 1);
  const { doc, onChange } = props;
  const sections: [SectionId, ReactNode][] = [
    ['general', <GeneralSection doc={doc} onChange={onChange} assetNames={props.assetNames} />],
    ['team', <TeamSettingsSection doc={doc} onChange={onChange} assetNames={props.assetNames} />],
    ['generalChannel', <GeneralChannelSection doc={doc} onChange={onChange} />],
    ['channels', <ChannelsSection doc={doc} onChange={onChange} />],
    ['apps', <AppsSection doc={doc} onChange={onChange} />],
    ['planner', <PlannerSection doc={doc} onChange={onChange} />],
    ['people', <PeopleSection doc={doc} onChange={onChange} />],
    ['naming', <NamingSection doc={doc} onChange={onChange} />],
    ['metadata', <MetadataSection doc={doc} onChange={onChange} fields={props.fields} />],
    ['policy', <PolicySection doc={doc} onChange={onChange} />],
  ];
  // Sections with issues open, so the errors are seen; General is open to start with.
  const [openItems, setOpenItems] = useState<string[]>(['general']);
  const withIssues = [...counts.keys()].sort().join();
  useEffect(() => {
    if (withIssues) setOpenItems((current) => [...new Set([...current, ...withIssues.split(',')])]);
  }, [withIssues]);
  return (
    <Accordion
      multiple
      collapsible
      openItems={openItems}
      onToggle={(_e, data) => setOpenItems(data.openItems.map(String))}
    >
      {sections.map(([id, body]) => (
        <AccordionItem key={id} value={id}>
          <AccordionHeader as="h3">
            <span className={styles.headerRow}>
              {t(`section.${id}`)}
              {counts.get(id) ? (
                <Badge color="danger" appearance="filled">
                  {t('form.issueCount', { count: counts.get(id) ?? 0 })}
                </Badge>
              ) : null}
            </span>
          </AccordionHeader>
          <AccordionPanel>
            <div className={styles.panel}>{body}</div>
          </AccordionPanel>
        </AccordionItem>
      ))}
    </Accordion>
  );
}
