import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { TRELLIS_CLIENT_ID } from '../../state/seed-contoso.ts';
import type { TenantState } from '../../state/types.ts';
import { graphErrors } from '../http/errors.ts';
import { guid, type Ids, stableIds } from '../http/ids.ts';
import { type CatalogAppRecord, type GraphState, graphOf } from '../state.ts';

/** Teams app ids of Microsoft's built-in tab apps (Graph's "Configuring the built-in tab types"). */
export const BUILT_IN_APPS = {
  planner: 'com.microsoft.teamspace.tab.planner',
  website: 'com.microsoft.teamspace.tab.web',
  oneNote: '0d820ecd-def2-4297-adad-78056cde7c78',
  lists: '2a527703-1f6f-4559-a332-d8a7d288cd88',
  forms: '81fef3a6-72aa-4648-a763-de824aeafb7d',
} as const;

/** The manifest id of the Trellis Teams app: its Entra app id, as for a single-app bot + tabs package. */
export function trellisManifestId(): string {
  return TRELLIS_CLIENT_ID;
}

const STORE_APPS: { id: string; displayName: string; description: string }[] = [
  {
    id: BUILT_IN_APPS.planner,
    displayName: 'Planner',
    description: 'Plan, assign and track tasks with your team.',
  },
  { id: BUILT_IN_APPS.website, displayName: 'Website', description: 'Pin a website as a tab in a channel.' },
  {
    id: BUILT_IN_APPS.oneNote,
    displayName: 'OneNote',
    description: 'Take notes together in a shared notebook.',
  },
  { id: BUILT_IN_APPS.lists, displayName: 'Lists', description: 'Track information in SharePoint lists.' },
  { id: BUILT_IN_APPS.forms, displayName: 'Forms', description: 'Create surveys, quizzes and polls.' },
];

/** Adds the store apps and the organization's Trellis app to a tenant's catalog (idempotent). */
export function ensureCatalog(graph: GraphState, ids: Ids, now: Date): void {
  const stamp = now.toISOString();
  for (const app of STORE_APPS) {
    if (graph.catalog.some((c) => c.id === app.id)) continue;
    graph.catalog.push({
      id: app.id,
      externalId: null,
      displayName: app.displayName,
      distributionMethod: 'store',
      definition: {
        id: Buffer.from(`${app.id}##1.0.0##Published`).toString('base64'),
        version: '1.0.0',
        description: app.description,
        shortDescription: app.description,
        lastModifiedDateTime: stamp,
      },
    });
  }
  if (!graph.catalog.some((c) => c.externalId === trellisManifestId())) {
    const id = guid(ids);
    graph.catalog.push({
      id,
      externalId: trellisManifestId(),
      displayName: 'Trellis',
      distributionMethod: 'organization',
      definition: {
        id: Buffer.from(`${id}##1.0.0##Published`).toString('base64'),
        version: '1.0.0',
        description: 'Collaboration templates, team requests, approvals and lifecycle for Microsoft Teams.',
        shortDescription: 'Teams governance: templates, requests, approvals.',
        lastModifiedDateTime: stamp,
      },
    });
  }
}

/** The tenant's catalog, with the built-in apps present even in a state written by an older sandbox. */
export function catalogOf(tenant: TenantState): CatalogAppRecord[] {
  const graph = graphOf(tenant);
  if (graph.catalog.length === 0) ensureCatalog(graph, stableIds(`${tenant.id}:catalog`), new Date());
  return graph.catalog;
}

/**
 * A catalog app by its catalog id (or, for organization apps, its manifest id, which Graph also resolves).
 * @throws GraphError(404) when absent.
 */
export function requireCatalogApp(tenant: TenantState, id: string): CatalogAppRecord {
  const key = id.toLowerCase();
  const app =
    catalogOf(tenant).find((a) => a.id.toLowerCase() === key) ??
    catalogOf(tenant).find((a) => a.externalId?.toLowerCase() === key);
  if (!app) throw graphErrors.notFound(`App with id '${id}' was not found in the app catalog.`);
  return app;
}

/** teamsApp as Graph returns it. */
export function teamsAppShape(app: CatalogAppRecord): MicrosoftGraph.TeamsApp & Record<string, unknown> {
  return {
    id: app.id,
    externalId: app.externalId,
    displayName: app.displayName,
    distributionMethod: app.distributionMethod,
  } satisfies MicrosoftGraph.TeamsApp;
}

/** teamsAppDefinition as Graph returns it. */
export function teamsAppDefinitionShape(
  app: CatalogAppRecord,
): MicrosoftGraph.TeamsAppDefinition & Record<string, unknown> {
  return {
    id: app.definition.id,
    teamsAppId: app.id,
    displayName: app.displayName,
    version: app.definition.version,
    publishingState: 'published',
    shortDescription: app.definition.shortDescription,
    description: app.definition.description,
    lastModifiedDateTime: app.definition.lastModifiedDateTime,
    createdBy: null,
  } satisfies MicrosoftGraph.TeamsAppDefinition;
}
