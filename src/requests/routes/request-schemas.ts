import { Type } from 'typebox';
import { DateTime, Uuid } from '../../api/schemas.ts';

export const RequestStatusSchema = Type.Union([
  Type.Literal('draft'),
  Type.Literal('pending_approval'),
  Type.Literal('approved'),
  Type.Literal('provisioning'),
  Type.Literal('completed'),
  Type.Literal('completed_with_drift'),
  Type.Literal('failed'),
  Type.Literal('rejected'),
  Type.Literal('cancelled'),
  Type.Literal('expired'),
]);

const Person = Type.String({ minLength: 1, maxLength: 256, description: 'Entra object id or UPN' });

export const ApproverSchema = Type.Object({
  id: Type.String(),
  userPrincipalName: Type.Union([Type.String(), Type.Null()]),
  displayName: Type.Union([Type.String(), Type.Null()]),
  via: Type.Union([
    Type.Literal('user'),
    Type.Literal('group'),
    Type.Literal('manager'),
    Type.Literal('rule'),
  ]),
});

export const StageSchema = Type.Object({
  stage: Type.Integer(),
  name: Type.String(),
  status: Type.Union([
    Type.Literal('waiting'),
    Type.Literal('pending'),
    Type.Literal('approved'),
    Type.Literal('rejected'),
    Type.Literal('cancelled'),
    Type.Literal('expired'),
  ]),
  allowEdit: Type.Boolean(),
  approvers: Type.Array(ApproverSchema),
  openedAt: Type.Union([DateTime, Type.Null()]),
  decidedAt: Type.Union([DateTime, Type.Null()]),
  decidedBy: Type.Union([
    Type.Object({ type: Type.String(), id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
    Type.Null(),
  ]),
  comment: Type.Union([Type.String(), Type.Null()]),
  remindersSent: Type.Integer(),
});

export const RequestSchema = Type.Object({
  requestId: Uuid,
  status: RequestStatusSchema,
  template: Type.Object({ templateId: Uuid, slug: Type.String(), version: Type.Integer() }),
  requester: Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
  createdBy: Type.Object({
    type: Type.Union([Type.Literal('user'), Type.Literal('api_token')]),
    id: Type.String(),
  }),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  welcomeMessage: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  owners: Type.Array(Type.String()),
  members: Type.Array(Type.String()),
  names: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  currentStage: Type.Union([Type.Integer(), Type.Null()]),
  stages: Type.Array(StageSchema),
  revision: Type.Integer(),
  submittedAt: Type.Union([DateTime, Type.Null()]),
  decidedAt: Type.Union([DateTime, Type.Null()]),
  expiresAt: Type.Union([DateTime, Type.Null()]),
  closedReason: Type.Union([Type.String(), Type.Null()]),
  teamId: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const FieldChange = Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() });

export const ActivitySchema = Type.Object({
  activityId: Uuid,
  at: DateTime,
  kind: Type.String(),
  actor: Type.Object({
    type: Type.String(),
    id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
  }),
  stage: Type.Union([Type.Integer(), Type.Null()]),
  body: Type.Union([Type.String(), Type.Null()]),
  diff: Type.Union([Type.Object({ changes: Type.Array(FieldChange) }), Type.Null()]),
  fromStatus: Type.Union([Type.String(), Type.Null()]),
  toStatus: Type.Union([Type.String(), Type.Null()]),
});

const Metadata = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
  description: 'Values for the metadata fields of the tenant and the template',
  maxProperties: 100,
});

const editable = {
  name: Type.String({ minLength: 1, maxLength: 256, description: 'The requested team name' }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 1024 }), Type.Null()])),
  welcomeMessage: Type.Optional(Type.Union([Type.String({ maxLength: 4000 }), Type.Null()])),
  metadata: Type.Optional(Metadata),
  owners: Type.Optional(Type.Array(Person, { maxItems: 100 })),
  members: Type.Optional(Type.Array(Person, { maxItems: 100 })),
};

export const CreateRequestBody = Type.Object(
  {
    template: Type.String({ minLength: 1, maxLength: 100, description: 'Template id or slug' }),
    templateVersion: Type.Optional(Type.Integer({ minimum: 1 })),
    requester: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: 'For API tokens: the user the team is for' }),
    ),
    submit: Type.Optional(Type.Boolean({ default: true, description: 'false keeps a draft' })),
    ...editable,
  },
  { additionalProperties: false },
);

export const EditsSchema = Type.Object(
  {
    ...editable,
    name: Type.Optional(editable.name),
    metadata: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
        description: 'Keys to set; null removes a key',
        maxProperties: 100,
      }),
    ),
  },
  { additionalProperties: false },
);

const RenderedNames = Type.Object({
  displayName: Type.String(),
  mailNickname: Type.String(),
  description: Type.Optional(Type.String()),
  welcomeMessage: Type.Optional(Type.String()),
});

export const PreviewSchema = Type.Object({
  valid: Type.Boolean(),
  names: Type.Union([RenderedNames, Type.Null()]),
  violations: Type.Array(
    Type.Object({
      field: Type.String(),
      code: Type.String(),
      message: Type.String(),
      name: Type.Optional(Type.String()),
    }),
  ),
  conflicts: Type.Array(
    Type.Object({
      field: Type.String(),
      group: Type.Object({
        id: Type.Optional(Type.String()),
        displayName: Type.String(),
        mailNickname: Type.String(),
      }),
    }),
  ),
  proposedMailNickname: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  metadataErrors: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  approval: Type.Array(
    Type.Object({
      stage: Type.Integer(),
      name: Type.String(),
      approvers: Type.Array(ApproverSchema),
      error: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export const RequestParams = Type.Object({ requestId: Uuid });

/** `If-Match: "<revision>"` or `revision` in the body: refuses a change made on a stale view. */
export const RevisionHeader = Type.Object({
  'if-match': Type.Optional(
    Type.String({ pattern: '^(W/)?"?[0-9]+"?$', description: 'The revision you saw' }),
  ),
});

export function revisionFrom(
  headers: { 'if-match'?: string | undefined },
  body?: { revision?: number | undefined },
) {
  if (body?.revision !== undefined) return body.revision;
  const tag = headers['if-match'];
  return tag === undefined ? undefined : Number(tag.replace(/^W\//, '').replaceAll('"', ''));
}
