import { Type } from 'typebox';
import type { ApiRoutes } from '../../api/api-types.ts';
import { errorResponses } from '../../api/schemas.ts';
import { errors } from '../../errors/index.ts';
import { APP_PACKAGE_FILE_NAME, type AppPackage, buildAppPackage } from './app-package.ts';

const TAGS = ['Teams app'];

const ManifestSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ format: 'uri' })),
    manifestVersion: Type.String(),
    version: Type.String(),
    id: Type.String({ format: 'uuid' }),
  },
  { additionalProperties: true, description: 'The Teams app manifest (manifest.json of the package)' },
);

/**
 * The Teams app package for tenant admins to upload to Teams (custom app or org catalog), and its
 * manifest. Both need `roles:manage`: among roles only tenant_admin holds it (src/api/caller.ts).
 * The package belongs to the deployment, not to a tenant: every tenant's admin gets the same one.
 */
export const teamsAppRoutes: ApiRoutes = async (app, deps) => {
  // Built once per process on first use (validation compiles the schema); a failure is not kept.
  let built: Promise<AppPackage> | undefined;
  const appPackage = (): Promise<AppPackage> => {
    // A 4xx, so that the admin reads what to set (server errors show no details).
    if (!deps.config.m365.clientId) {
      throw errors.conflict(
        'This Trellis has no Microsoft 365 app, so no Teams app package: set M365_TENANT_ID, M365_CLIENT_ID and M365_CLIENT_SECRET',
      );
    }
    built ??= buildAppPackage(deps.config).catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };

  app.get(
    '/teams-app/package',
    {
      config: { access: 'roles:manage' },
      schema: {
        tags: TAGS,
        operationId: 'getTeamsAppPackage',
        summary: 'Download the Teams app package (manifest.json, color.png, outline.png) to upload to Teams',
        response: {
          200: {
            description: `The package, as an attachment named ${APP_PACKAGE_FILE_NAME}`,
            content: { 'application/zip': { schema: Type.String({ format: 'binary' }) } },
          },
          ...errorResponses(409),
        },
      },
    },
    async (_request, reply) => {
      const { zip } = await appPackage();
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${APP_PACKAGE_FILE_NAME}"`)
        .header('cache-control', 'no-store')
        .send(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength) as never);
    },
  );

  app.get(
    '/teams-app/manifest',
    {
      config: { access: 'roles:manage' },
      schema: {
        tags: TAGS,
        operationId: 'getTeamsAppManifest',
        summary: 'The manifest of the Teams app package, as JSON',
        response: { 200: ManifestSchema, ...errorResponses(409) },
      },
    },
    async (_request, reply) => {
      const { manifest } = await appPackage();
      return reply.header('cache-control', 'no-store').send(manifest);
    },
  );
};
