import { type Static, Type } from 'typebox';

/**
 * The template document, version 1. Property names of team settings, channels and tabs follow
 * Microsoft Graph; every object refuses unknown properties so a typo is an error, not a silent loss.
 * Properties with a `default` may be omitted by authors; stored documents always carry them.
 */

/** Asset name: a file uploaded with PUT /templates/{id}/assets/{name}, resolved per template version. */
export const AssetName = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$',
  description: 'Name of an asset uploaded to this template (letters, digits, `.`, `_`, `-`; ≤ 100).',
});

/** An Entra user by object id or user principal name. */
export const UserRef = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'Entra user object id or user principal name.',
});

const GroupId = Type.String({ format: 'uuid', description: 'Entra group object id.' });

/** A permanent owner or member: a user, or every (transitive) member of a group. */
export const PrincipalSchema = Type.Union([
  Type.Object({ type: Type.Literal('user'), user: UserRef }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('group'), groupId: GroupId }, { additionalProperties: false }),
]);

/** Who may approve one stage. */
export const ApproverSchema = Type.Union([
  Type.Object({ type: Type.Literal('user'), user: UserRef }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('group'), groupId: GroupId },
    { additionalProperties: false, description: 'Any (transitive) member of the group approves.' },
  ),
  Type.Object(
    { type: Type.Literal('manager') },
    { additionalProperties: false, description: "The requester's manager." },
  ),
  Type.Object(
    {
      type: Type.Literal('rule'),
      expression: Type.String({
        minLength: 1,
        maxLength: 4096,
        description: 'CEL approver rule over `request`.',
      }),
    },
    { additionalProperties: false },
  ),
]);

/** Approval policy; the approval engine of src/requests reads exactly this shape. */
export const ApprovalSchema = Type.Object(
  {
    stages: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 100 }),
          approvers: Type.Array(ApproverSchema, { minItems: 1, maxItems: 10 }),
          allowEdit: Type.Boolean({
            default: false,
            description: 'Approvers of this stage may edit the request before approving.',
          }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 5, default: [], description: 'Stages in order; empty means no approval is needed.' },
    ),
    reminderAfterHours: Type.Integer({ minimum: 1, maximum: 720, default: 24 }),
    expireAfterDays: Type.Integer({ minimum: 1, maximum: 90, default: 14 }),
  },
  { additionalProperties: false, default: {} },
);

export const METADATA_FIELD_TYPES = [
  'text',
  'number',
  'date',
  'choice',
  'multi_choice',
  'person',
  'boolean',
] as const;
export type MetadataFieldType = (typeof METADATA_FIELD_TYPES)[number];

/** The type of a metadata field. */
export const MetadataFieldTypeSchema = Type.Union([
  Type.Literal('text'),
  Type.Literal('number'),
  Type.Literal('date'),
  Type.Literal('choice'),
  Type.Literal('multi_choice'),
  Type.Literal('person'),
  Type.Literal('boolean'),
]);

/** Validation of one metadata field; which keys apply depends on the type. */
export const FieldValidationSchema = Type.Object(
  {
    minLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 4000 })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 4000 })),
    pattern: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          'Regular expression the whole text must match (no nested quantifiers or back-references).',
      }),
    ),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    minDate: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    maxDate: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    minItems: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

/** One choice of a choice or multi_choice field. */
export const FieldChoiceSchema = Type.Object(
  {
    value: Type.String({ minLength: 1, maxLength: 100 }),
    label: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

/** Metadata field definition (shared by tenant fields and template-level fields). */
export const MetadataFieldSchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-zA-Z0-9_]{0,39}$',
      description: 'Stable key, used in naming rules as `metadata.<key>` and in the API.',
    }),
    label: Type.String({ minLength: 1, maxLength: 100 }),
    type: MetadataFieldTypeSchema,
    required: Type.Boolean({ default: false }),
    helpText: Type.Optional(Type.String({ maxLength: 500 })),
    validation: Type.Optional(FieldValidationSchema),
    choices: Type.Optional(Type.Array(FieldChoiceSchema, { minItems: 1, maxItems: 200 })),
  },
  { additionalProperties: false },
);

const TabConfigurationSchema = Type.Object(
  {
    entityId: Type.Optional(Type.String({ maxLength: 2048 })),
    contentUrl: Type.Optional(Type.String({ maxLength: 2048 })),
    websiteUrl: Type.Optional(Type.String({ maxLength: 2048 })),
    removeUrl: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);

/** A tab pinned in a channel (Graph `teamsTab`). */
export const TabSchema = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 128 }),
    teamsAppId: Type.String({
      minLength: 1,
      maxLength: 256,
      description:
        'Teams app id, e.g. com.microsoft.teamspace.tab.web (website), com.microsoft.teamspace.tab.planner.',
    }),
    configuration: Type.Optional(TabConfigurationSchema),
    plan: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description:
          'Planner tabs: the title of a plan of this template; provisioning fills the configuration.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A file copied into a channel's folder: `path` is relative to the channel folder. */
export const ChannelFileSchema = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      maxLength: 400,
      description: 'Folder path and file name, `/`-separated, e.g. `Contracts/NDA.docx`.',
    }),
    asset: AssetName,
  },
  { additionalProperties: false },
);

/** A post made in the channel after provisioning. */
export const WelcomePostSchema = Type.Object(
  {
    subject: Type.Optional(Type.String({ maxLength: 255 })),
    content: Type.String({ minLength: 1, maxLength: 28_000 }),
    contentType: Type.Union([Type.Literal('text'), Type.Literal('html')], { default: 'text' }),
  },
  { additionalProperties: false },
);

const ChannelContent = {
  tabs: Type.Array(TabSchema, { default: [] }),
  folders: Type.Array(Type.String({ minLength: 1, maxLength: 400 }), {
    default: [],
    description: 'Folders to create, as `/`-separated paths.',
  }),
  files: Type.Array(ChannelFileSchema, { default: [] }),
  welcomePost: Type.Optional(WelcomePostSchema),
};

/** A channel to create (Graph `channel`). */
export const ChannelSchema = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 50 }),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    membershipType: Type.Union([Type.Literal('standard'), Type.Literal('private'), Type.Literal('shared')], {
      default: 'standard',
    }),
    isFavoriteByDefault: Type.Boolean({ default: false, description: 'Shown by default for every member.' }),
    owners: Type.Array(UserRef, {
      default: [],
      maxItems: 20,
      description: 'Private and shared channels: owners (besides the requester when ownersIncludeRequester).',
    }),
    ownersIncludeRequester: Type.Boolean({ default: true }),
    ...ChannelContent,
  },
  { additionalProperties: false },
);

/** The General channel exists in every team: only its content can be templated. */
export const GeneralChannelSchema = Type.Object(ChannelContent, { additionalProperties: false, default: {} });

const bool = () => Type.Optional(Type.Boolean());

/** Team settings, with Graph's property names; absent means Microsoft's default. */
export const TeamSettingsSchema = Type.Object(
  {
    visibility: Type.Union([Type.Literal('private'), Type.Literal('public')], { default: 'private' }),
    picture: Type.Optional(AssetName),
    memberSettings: Type.Optional(
      Type.Object(
        {
          allowCreateUpdateChannels: bool(),
          allowCreatePrivateChannels: bool(),
          allowDeleteChannels: bool(),
          allowAddRemoveApps: bool(),
          allowCreateUpdateRemoveTabs: bool(),
          allowCreateUpdateRemoveConnectors: bool(),
        },
        { additionalProperties: false },
      ),
    ),
    guestSettings: Type.Optional(
      Type.Object(
        { allowCreateUpdateChannels: bool(), allowDeleteChannels: bool() },
        { additionalProperties: false },
      ),
    ),
    messagingSettings: Type.Optional(
      Type.Object(
        {
          allowUserEditMessages: bool(),
          allowUserDeleteMessages: bool(),
          allowOwnerDeleteMessages: bool(),
          allowTeamMentions: bool(),
          allowChannelMentions: bool(),
        },
        { additionalProperties: false },
      ),
    ),
    funSettings: Type.Optional(
      Type.Object(
        {
          allowGiphy: bool(),
          giphyContentRating: Type.Optional(Type.Union([Type.Literal('strict'), Type.Literal('moderate')])),
          allowStickersAndMemes: bool(),
          allowCustomMemes: bool(),
        },
        { additionalProperties: false },
      ),
    ),
    discoverySettings: Type.Optional(
      Type.Object({ showInTeamsSearchAndSuggestions: bool() }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false, default: {} },
);

const PlannerCategory = Type.String({
  pattern: '^category([1-9]|1[0-9]|2[0-5])$',
  description: 'Planner label slot, category1 … category25.',
});

/** A Planner plan created for the team, with its buckets, labels and tasks (in order). */
export const PlanSchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 255 }),
    buckets: Type.Array(
      Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }),
      { default: [] },
    ),
    labels: Type.Array(
      Type.Object(
        { category: PlannerCategory, name: Type.String({ minLength: 1, maxLength: 100 }) },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    tasks: Type.Array(
      Type.Object(
        {
          title: Type.String({ minLength: 1, maxLength: 255 }),
          bucket: Type.String({
            minLength: 1,
            maxLength: 255,
            description: 'Name of a bucket of this plan.',
          }),
          notes: Type.Optional(Type.String({ maxLength: 4000 })),
          startInDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
          dueInDays: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 3650, description: 'Due date, in days after provisioning.' }),
          ),
          priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
          checklist: Type.Array(
            Type.Object(
              {
                title: Type.String({ minLength: 1, maxLength: 100 }),
                isChecked: Type.Boolean({ default: false }),
              },
              { additionalProperties: false },
            ),
            { default: [] },
          ),
          labels: Type.Array(PlannerCategory, { default: [] }),
          assignTo: Type.Array(Type.Union([Type.Literal('requester'), Type.Literal('owners')]), {
            default: [],
          }),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
  },
  { additionalProperties: false },
);

/** Naming rules in Liquid (src/naming): display name, mail nickname, description, welcome message. */
export const NamingRulesSchema = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 8000 }),
    mailNickname: Type.Optional(Type.String({ minLength: 1, maxLength: 8000 })),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 8000 })),
    welcomeMessage: Type.Optional(Type.String({ minLength: 1, maxLength: 8000 })),
  },
  { additionalProperties: false, default: { displayName: '{{ request.name }}' } },
);

/** The collaboration template document, schema version 1. */
export const TemplateDocumentSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    slug: Type.String({
      pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$',
      description: 'Unique per tenant; lowercase letters, digits and dashes.',
    }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.String({ maxLength: 2000, default: '' }),
    language: Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', default: 'en' }),
    category: Type.String({ minLength: 1, maxLength: 50, default: 'General' }),
    tags: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20, default: [] }),
    icon: Type.Optional(AssetName),
    screenshots: Type.Array(AssetName, { maxItems: 10, default: [] }),
    team: TeamSettingsSchema,
    generalChannel: GeneralChannelSchema,
    channels: Type.Array(ChannelSchema, { default: [] }),
    apps: Type.Array(
      Type.Object(
        {
          teamsAppId: Type.String({ minLength: 1, maxLength: 256 }),
          displayName: Type.Optional(Type.String({ maxLength: 128 })),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    planner: Type.Object(
      { plans: Type.Array(PlanSchema, { default: [] }) },
      { additionalProperties: false, default: {} },
    ),
    permanentOwners: Type.Array(PrincipalSchema, { maxItems: 100, default: [] }),
    permanentMembers: Type.Array(PrincipalSchema, { maxItems: 100, default: [] }),
    minimumOwners: Type.Integer({ minimum: 1, maximum: 10, default: 2 }),
    addRequesterAsOwner: Type.Boolean({ default: true }),
    guests: Type.Object(
      {
        allowed: Type.Boolean({ default: false }),
        allowedDomains: Type.Array(
          Type.String({ pattern: '^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$' }),
          { maxItems: 100, default: [], description: 'Empty with allowed: any domain.' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    sensitivityLabelId: Type.Optional(Type.String({ format: 'uuid' })),
    naming: NamingRulesSchema,
    metadataFieldRefs: Type.Array(Type.String({ pattern: '^[a-z][a-zA-Z0-9_]{0,39}$' }), {
      maxItems: 50,
      default: [],
      description: 'Keys of tenant metadata fields this template collects (besides those applying to all).',
    }),
    metadataFields: Type.Array(MetadataFieldSchema, {
      maxItems: 50,
      default: [],
      description: 'Fields only this template collects; keys distinct from tenant fields.',
    }),
    audience: Type.Object(
      {
        rule: Type.String({
          maxLength: 4096,
          default: 'true',
          description: "CEL over `user`; 'true' for everyone.",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    approval: ApprovalSchema,
  },
  {
    additionalProperties: false,
    $id: 'urn:trellis:schema:template:v1',
    title: 'Trellis collaboration template, version 1',
  },
);

/** A template document as stored: every default filled in. */
export type TemplateDocument = Static<typeof TemplateDocumentSchema>;
export type TemplateChannel = Static<typeof ChannelSchema>;
export type TemplateTab = Static<typeof TabSchema>;
export type TemplatePlan = Static<typeof PlanSchema>;
export type TemplatePrincipal = Static<typeof PrincipalSchema>;
export type TemplateApprover = Static<typeof ApproverSchema>;
export type MetadataFieldDefinition = Static<typeof MetadataFieldSchema>;
export type FieldValidation = Static<typeof FieldValidationSchema>;
