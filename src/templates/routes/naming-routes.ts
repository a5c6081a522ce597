import { Type } from 'typebox';
import type { ApiRoutes } from '../../api/api-types.ts';
import { callerOf } from '../../api/request-context.ts';
import { errorResponses } from '../../api/schemas.ts';
import { errors } from '../../errors/index.ts';
import { NamingRulesSchema } from '../template-schema.ts';

const NamesSchema = Type.Object({
  displayName: Type.String(),
  mailNickname: Type.String(),
  description: Type.Optional(Type.String()),
  welcomeMessage: Type.Optional(Type.String()),
});

const ViolationSchema = Type.Object({
  field: Type.String(),
  code: Type.String(),
  message: Type.String(),
  name: Type.Optional(Type.String()),
});

const ConflictSchema = Type.Object({
  field: Type.String(),
  group: Type.Object({
    id: Type.Optional(Type.String()),
    displayName: Type.String(),
    mailNickname: Type.String(),
  }),
});

const UserSchema = Type.Object(
  {
    id: Type.String(),
    displayName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    mail: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    department: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    country: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    jobTitle: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    officeLocation: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    userType: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    groups: Type.Optional(Type.Array(Type.String())),
    groupNames: Type.Optional(Type.Array(Type.String())),
    roles: Type.Optional(Type.Array(Type.String())),
  },
  { description: 'The user as rules see them.' },
);

/** Live naming preview and the "test a rule against any user" tool. */
export const namingRoutes: ApiRoutes = async (app, deps) => {
  app.post(
    '/naming/preview',
    {
      config: { access: 'catalog:read' },
      schema: {
        tags: ['Naming'],
        operationId: 'previewNames',
        summary:
          "Render a template's naming rules, raw rules, or draft rules in a template's context, for a requested name: names, Microsoft limits, conflicts with existing groups, a free mail nickname",
        body: Type.Object(
          {
            template: Type.Optional(
              Type.String({ minLength: 1, maxLength: 100, description: 'Template id or slug.' }),
            ),
            version: Type.Optional(Type.Integer({ minimum: 1 })),
            // Without the document's default: an absent `rules` must stay absent.
            rules: Type.Optional(Type.Object(NamingRulesSchema.properties, { additionalProperties: false })),
            name: Type.String({ minLength: 1, maxLength: 256, description: 'The requested name.' }),
            metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            requester: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 256,
                description:
                  'Tokens and admins: the user (id or UPN) to preview for. Users preview for themselves.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            names: Type.Union([NamesSchema, Type.Null()]),
            violations: Type.Array(ViolationSchema),
            conflicts: Type.Array(ConflictSchema),
            proposedMailNickname: Type.Union([Type.String(), Type.Null()]),
            metadata: Type.Record(Type.String(), Type.Unknown()),
          }),
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const body = request.body;
      if (body.template === undefined && body.rules === undefined) {
        throw errors.validation('Give a template, naming rules, or both (draft rules of a template)');
      }
      const privileged = deps.domain.templates.seesAll(caller);
      if (body.rules !== undefined && !caller.scopes.has('templates:write')) {
        throw errors.forbidden('Previewing raw naming rules needs the templates:write permission');
      }
      if (body.requester !== undefined && !privileged && caller.kind === 'user') {
        throw errors.forbidden('Only catalog managers and admins preview for another user');
      }
      if (body.template !== undefined && caller.kind === 'user' && !privileged) {
        // A template outside the caller's audience does not exist for them.
        await deps.domain.templates.catalogEntry(caller, body.template);
      }
      const requester =
        body.requester ?? (caller.kind === 'user' ? (caller.userPrincipalName ?? caller.id) : null);
      const result = await deps.domain.templates.preview(caller.tenantId, {
        template:
          body.template === undefined ? undefined : { idOrSlug: body.template, version: body.version },
        rules: body.rules,
        requestName: body.name,
        metadata: body.metadata ?? {},
        requester,
        fallbackRequester: { displayName: caller.displayName ?? 'API client' },
      });
      const { requester: _profile, ...rest } = result;
      return rest;
    },
  );

  app.post(
    '/rules/test',
    {
      config: { access: 'templates:write' },
      schema: {
        tags: ['Naming'],
        operationId: 'testRule',
        summary: 'Try a CEL audience or approver rule against a directory user',
        body: Type.Object(
          {
            kind: Type.Union([Type.Literal('audience'), Type.Literal('approver')]),
            expression: Type.String({ maxLength: 4096 }),
            user: Type.String({
              minLength: 1,
              maxLength: 256,
              description: 'User id or UPN (the requester).',
            }),
            templateSlug: Type.Optional(Type.String({ maxLength: 63 })),
            metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            kind: Type.String(),
            valid: Type.Boolean({ description: 'False when the rule would be refused at save time.' }),
            allowed: Type.Optional(Type.Boolean()),
            approvers: Type.Optional(Type.Array(Type.String())),
            error: Type.Union([
              Type.Object({
                message: Type.String(),
                details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
              }),
              Type.Null(),
            ]),
            durationMs: Type.Number(),
            user: UserSchema,
          }),
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => {
      const outcome = await deps.domain.templates.testRule(callerOf(request).tenantId, request.body);
      const { groups, groupNames, roles, ...attributes } = outcome.user;
      return {
        ...outcome,
        user: {
          ...attributes,
          ...(groups ? { groups: [...groups] } : {}),
          ...(groupNames ? { groupNames: [...groupNames] } : {}),
          ...(roles ? { roles: [...roles] } : {}),
        },
      };
    },
  );
};
