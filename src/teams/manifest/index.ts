export {
  APP_PACKAGE_FILE_NAME,
  type AppPackage,
  buildAppPackage,
  loadManifestSchema,
  validateManifest,
} from './app-package.ts';
export {
  BOT_COMMANDS,
  type BuildManifestOptions,
  buildManifest,
  COMPOSE_COMMAND_IDS,
  type ComposeCommandId,
  ICON_FILES,
  MANIFEST_SCHEMA_URL,
  MANIFEST_VERSION,
  SEARCH_PARAMETER_NAME,
  STATIC_TAB_IDS,
  type StaticTabId,
  type TeamsAppManifest,
  teamsAppIdOf,
  validDomainsOf,
} from './build-manifest.ts';
export { COLOR_ICON_SIZE, colorIcon, OUTLINE_ICON_SIZE, outlineIcon, TRELLIS_ACCENT_COLOR } from './icons.ts';
export { teamsAppRoutes } from './routes.ts';
