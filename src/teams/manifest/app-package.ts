import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { ManifestUtil } from '@microsoft/app-manifest';
import { zipSync } from 'fflate';
import type { Config } from '../../config.ts';
import { AppError, ErrorCode } from '../../errors/index.ts';
import { buildManifest, ICON_FILES, MANIFEST_VERSION, type TeamsAppManifest } from './build-manifest.ts';
import { colorIcon, outlineIcon } from './icons.ts';

/** What an admin uploads to Teams: the manifest and the zip holding it with its two icons. */
export interface AppPackage {
  manifest: TeamsAppManifest;
  zip: Uint8Array;
}

/** The file name the package is offered under. */
export const APP_PACKAGE_FILE_NAME = 'trellis-teams-app.zip';

// A fixed time stamp on the zip entries: the same configuration always gives the same bytes.
const ENTRY_MTIME = new Date(2026, 0, 1);

/**
 * The JSON schema of the manifest version, read from the copy @microsoft/app-manifest bundles:
 * never fetched (the package's own `validateManifest` downloads it from `$schema`).
 */
export async function loadManifestSchema(version = MANIFEST_VERSION): Promise<object> {
  const file = createRequire(import.meta.url).resolve(
    `@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`,
  );
  return JSON.parse(await readFile(file, 'utf8')) as object;
}

/**
 * Checks Trellis relies on that the schema does not make: `validDomains` entries are bare hosts
 * (the v1.30 schema accepts any string there), and every tab URL's host is one of them.
 */
function checkDomains(manifest: TeamsAppManifest): string[] {
  const problems: string[] = [];
  const domains = manifest.validDomains ?? [];
  domains.forEach((domain, i) => {
    // host[:port], or a wildcard first label; no scheme, path, query or user info.
    if (!/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i.test(domain) && !/^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(domain)) {
      problems.push(`/validDomains/${i} must be a host name without scheme or path, got "${domain}"`);
    }
  });
  const urls = [
    ...(manifest.staticTabs ?? []).flatMap((tab, i) =>
      [tab.contentUrl, tab.websiteUrl].map((url) => ({ at: `/staticTabs/${i}`, url })),
    ),
    ...(manifest.configurableTabs ?? []).map((tab, i) => ({
      at: `/configurableTabs/${i}`,
      url: tab.configurationUrl,
    })),
  ];
  for (const { at, url } of urls) {
    if (url === undefined) continue;
    const host = URL.canParse(url) ? new URL(url).host : undefined;
    const listed = (domain: string) =>
      domain === host || (domain.startsWith('*.') && !!host?.endsWith(domain.slice(1)));
    if (!host || !domains.some(listed)) {
      problems.push(`${at}: the host of ${url} is not in validDomains`);
    }
  }
  return problems;
}

/**
 * Validates a manifest against the bundled JSON schema of its version, plus Trellis's domain
 * checks. Returns one message per problem; empty when valid.
 */
export async function validateManifest(manifest: TeamsAppManifest): Promise<string[]> {
  const schema = await loadManifestSchema(manifest.manifestVersion);
  // The schema as a typed JSONSchemaType of the whole manifest is too big a type to check: cast.
  const schemaErrors = await ManifestUtil.validateManifestAgainstSchema(manifest as never, schema as never);
  return [...schemaErrors.map((e) => e.trim()), ...checkDomains(manifest)];
}

/**
 * Builds, validates and zips the Teams app package: `manifest.json`, `color.png` and
 * `outline.png` at the root of the zip, as Teams expects.
 * @throws AppError(config_invalid) when Microsoft 365 is not configured (see buildManifest), or
 *   when the manifest does not match its schema, listing every problem.
 */
export async function buildAppPackage(config: Config): Promise<AppPackage> {
  const manifest = buildManifest(config);
  const problems = await validateManifest(manifest);
  if (problems.length > 0) {
    // The manifest is made from the configuration only: a problem means a setting Teams refuses.
    throw new AppError(
      ErrorCode.ConfigInvalid,
      `The Teams app manifest does not match schema v${manifest.manifestVersion}: ${problems.join('; ')}`,
      { details: { problems } },
    );
  }
  const zip = zipSync(
    {
      'manifest.json': [new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`), { level: 9 }],
      // PNGs are compressed already.
      [ICON_FILES.color]: [colorIcon(), { level: 0 }],
      [ICON_FILES.outline]: [outlineIcon(), { level: 0 }],
    },
    { mtime: ENTRY_MTIME },
  );
  return { manifest, zip };
}
