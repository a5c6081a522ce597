import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ManifestUtil } from '@microsoft/app-manifest';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { type Config, loadConfig } from '../../config.ts';
import { AppError } from '../../errors/index.ts';
import {
  APP_PACKAGE_FILE_NAME,
  buildAppPackage,
  buildManifest,
  COMPOSE_COMMAND_IDS,
  loadManifestSchema,
  MANIFEST_VERSION,
  STATIC_TAB_IDS,
  type TeamsAppManifest,
  TRELLIS_ACCENT_COLOR,
  validateManifest,
} from './index.ts';

const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_ID = '7a1d5e2f-8b3c-4d9e-a6f0-11e11150a001';
const TEAMS_APP_ID = '3f2b8c1e-5d4a-4e6f-9a7b-0c1d2e3f4a5b';

/** A deployment with its Microsoft 365 tenant configured, plus the given settings. */
const configOf = (env: Record<string, string> = {}): Config =>
  loadConfig(
    {
      PUBLIC_URL: 'https://trellis.contoso.com',
      M365_TENANT_ID: TENANT_ID,
      M365_CLIENT_ID: CLIENT_ID,
      M365_CLIENT_SECRET: 'secret',
      ...env,
    },
    '/srv/trellis',
  );

const schemaErrors = async (manifest: unknown) =>
  ManifestUtil.validateManifestAgainstSchema(manifest as never, (await loadManifestSchema()) as never);

const refusedNaming = (variable: string) => (e: unknown) =>
  e instanceof AppError && e.code === 'config_invalid' && e.message.startsWith(`${variable}:`);

describe('Teams app package', () => {
  test('the zip holds manifest.json, color.png and outline.png at its root, and nothing else', async () => {
    const pkg = await buildAppPackage(configOf());
    const entries = unzipSync(pkg.zip);
    assert.deepEqual(Object.keys(entries).sort(), ['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(new TextDecoder().decode(entries['manifest.json'])) as TeamsAppManifest;
    assert.deepEqual(manifest, pkg.manifest);
    assert.deepEqual(manifest.icons, { color: 'color.png', outline: 'outline.png' });
    assert.equal(APP_PACKAGE_FILE_NAME, 'trellis-teams-app.zip');
  });

  test('the icons are 192×192 (colour, opaque) and 32×32 (outline: white on transparent)', async () => {
    const entries = unzipSync((await buildAppPackage(configOf())).zip);
    const color = PNG.sync.read(Buffer.from(entries['color.png'] ?? []));
    assert.equal(color.width, 192);
    assert.equal(color.height, 192);
    const background = [1, 3, 5].map((i) => Number.parseInt(TRELLIS_ACCENT_COLOR.slice(i, i + 2), 16));
    let colorWhite = 0;
    let colorBackground = 0;
    for (let i = 0; i < color.data.length; i += 4) {
      assert.equal(color.data[i + 3], 255, 'the colour icon is opaque');
      const rgb = [color.data[i], color.data[i + 1], color.data[i + 2]];
      if (rgb.every((v) => v === 255)) colorWhite++;
      if (rgb.every((v, k) => v === background[k])) colorBackground++;
    }
    assert.ok(colorBackground > 192 * 192 * 0.4, `a coloured background (${colorBackground} px)`);
    assert.ok(colorWhite > 192 * 192 * 0.1, `a white mark (${colorWhite} px)`);

    const outline = PNG.sync.read(Buffer.from(entries['outline.png'] ?? []));
    assert.equal(outline.width, 32);
    assert.equal(outline.height, 32);
    let transparent = 0;
    let opaque = 0;
    const offenders: string[] = [];
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [outline.data[i], outline.data[i + 1], outline.data[i + 2], outline.data[i + 3]];
      if (a === 0) transparent++;
      else if (r !== 255 || g !== 255 || b !== 255) offenders.push(`${(i / 4) % 32},${Math.floor(i / 128)}`);
      if (a === 255) opaque++;
    }
    assert.deepEqual(offenders, [], 'every visible pixel of the outline icon is white');
    assert.ok(transparent > 32 * 4, `a transparent background (${transparent} px)`);
    assert.ok(opaque > 32 * 4, `a solid white mark (${opaque} px)`);
  });

  test('manifest.json has no schema errors against the bundled v1.30 schema', async () => {
    const pkg = await buildAppPackage(configOf());
    const manifest: unknown = JSON.parse(new TextDecoder().decode(unzipSync(pkg.zip)['manifest.json']));
    assert.deepEqual(await schemaErrors(manifest), []);
    assert.deepEqual(await validateManifest(pkg.manifest), []);
  });

  test('the schema is the newest the package bundles, read from disk: nothing is fetched', async (t) => {
    const teamsDir = path.join(
      path.dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest/package.json')),
      'build/json-schemas/teams',
    );
    const versions = readdirSync(teamsDir)
      .map((d) => /^v1\.(\d+)$/.exec(d)?.[1])
      .filter((v) => v !== undefined)
      .map(Number);
    assert.equal(MANIFEST_VERSION, `1.${Math.max(...versions)}`);
    const schema = (await loadManifestSchema()) as { properties: { manifestVersion: { const: string } } };
    assert.equal(schema.properties.manifestVersion.const, MANIFEST_VERSION);

    const calls: string[] = [];
    t.mock.method(globalThis, 'fetch', (input: unknown) => {
      calls.push(String(input));
      throw new Error('no network in this test');
    });
    const pkg = await buildAppPackage(configOf());
    assert.equal(
      pkg.manifest.$schema,
      `https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json`,
    );
    assert.equal(pkg.manifest.manifestVersion, '1.30');
    assert.deepEqual(calls, []);
  });

  test('a broken manifest gives errors: missing bot id, bad app id, a scheme in validDomains', async () => {
    const good = buildManifest(configOf());

    const noBotId = structuredClone(good) as unknown as { bots: Record<string, unknown>[] };
    delete noBotId.bots[0]?.botId;
    const missing = await schemaErrors(noBotId);
    assert.ok(
      missing.some((e) => e.startsWith('/bots/0') && e.includes("required property 'botId'")),
      missing.join('\n'),
    );

    const badId = await validateManifest({ ...good, id: 'not-a-guid' });
    assert.ok(
      badId.some((e) => e.startsWith('/id ')),
      badId.join('\n'),
    );

    // The v1.30 schema puts no pattern on validDomains entries: Trellis's own check refuses a scheme.
    const withScheme = { ...good, validDomains: ['https://trellis.contoso.com'] };
    assert.deepEqual(await schemaErrors(withScheme), []);
    const schemeErrors = await validateManifest(withScheme);
    assert.ok(
      schemeErrors.some((e) => e.startsWith('/validDomains/0') && e.includes('without scheme')),
      schemeErrors.join('\n'),
    );
    assert.ok(
      schemeErrors.some((e) => e.startsWith('/staticTabs/0') && e.includes('not in validDomains')),
      'tab URLs must be on a listed domain',
    );
  });

  test('a manifest Teams would refuse is never packaged: a typed error lists the problems', async () => {
    const config = configOf();
    // Config refuses a long name; bypass it to show the package's own guard.
    const tooLong = { ...config, teams: { ...config.teams, appName: 'T'.repeat(31) } };
    await assert.rejects(buildAppPackage(tooLong), (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, 'config_invalid');
      assert.match(e.message, /schema v1\.30: \/name\/short must NOT have more than 30 characters/);
      assert.ok(Array.isArray(e.details?.problems));
      return true;
    });
  });
});

describe('manifest contents', () => {
  test('five personal tabs under the public URL, plus the built-in chat and about tabs', () => {
    const m = buildManifest(configOf());
    assert.deepEqual(
      m.staticTabs?.map((t) => [t.entityId, t.name ?? null]),
      [
        [STATIC_TAB_IDS.catalog, 'Catalog'],
        [STATIC_TAB_IDS.requests, 'My requests'],
        [STATIC_TAB_IDS.approvals, 'Approvals'],
        [STATIC_TAB_IDS.governance, 'Governance'],
        [STATIC_TAB_IDS.admin, 'Admin'],
        ['conversations', null],
        ['about', null],
      ],
    );
    assert.deepEqual(Object.values(STATIC_TAB_IDS), [
      'catalog',
      'requests',
      'approvals',
      'governance',
      'admin',
    ]);
    const catalog = m.staticTabs?.[0];
    assert.equal(catalog?.contentUrl, 'https://trellis.contoso.com/tabs/catalog?inTeams=1');
    assert.equal(catalog?.websiteUrl, 'https://trellis.contoso.com/tabs/catalog');
    assert.ok(m.staticTabs?.every((t) => t.scopes.length === 1 && t.scopes[0] === 'personal'));
    assert.deepEqual(m.configurableTabs, [
      {
        configurationUrl: 'https://trellis.contoso.com/tabs/config',
        canUpdateConfiguration: true,
        scopes: ['team', 'groupChat'],
        context: ['channelTab', 'privateChatTab', 'meetingChatTab'],
      },
    ]);
    assert.deepEqual(m.developer, {
      name: 'Trellis',
      websiteUrl: 'https://trellis.contoso.com/',
      privacyUrl: 'https://trellis.contoso.com/privacy',
      termsOfUseUrl: 'https://trellis.contoso.com/terms',
    });
  });

  test('the bot and the message extension are the Entra app, with the command ids the bot handles', () => {
    const m = buildManifest(configOf());
    const bot = m.bots?.[0];
    assert.equal(bot?.botId, CLIENT_ID);
    assert.deepEqual(bot?.scopes, ['personal', 'team', 'groupChat']);
    assert.equal(bot?.supportsFiles, false);
    assert.equal(bot?.isNotificationOnly, false);
    const titles = (scope: string) =>
      bot?.commandLists?.find((l) => l.scopes.includes(scope as never))?.commands.map((c) => c.title);
    assert.deepEqual(titles('personal'), [
      'help',
      'templates',
      'new team',
      'my requests',
      'approvals',
      'status',
    ]);
    assert.deepEqual(titles('team'), ['help', 'status']);
    assert.deepEqual(titles('groupChat'), ['help', 'status']);
    assert.ok(bot?.commandLists?.every((l) => l.commands.every((c) => c.description)));

    const extension = m.composeExtensions?.[0];
    assert.equal(extension?.botId, CLIENT_ID);
    const commands = extension?.commands ?? [];
    assert.deepEqual(
      commands.map((c) => [c.id, c.type]),
      [
        ['searchTrellis', 'query'],
        ['requestTeam', 'action'],
        ['shareRequest', 'action'],
      ],
    );
    assert.deepEqual(Object.values(COMPOSE_COMMAND_IDS), ['searchTrellis', 'requestTeam', 'shareRequest']);
    const [search, request, share] = commands;
    assert.equal(search?.initialRun, true);
    assert.deepEqual(search?.context, ['compose', 'commandBox']);
    assert.deepEqual(
      search?.parameters?.map((p) => p.name),
      ['query'],
    );
    assert.equal(request?.fetchTask, true);
    assert.deepEqual(request?.context, ['compose', 'commandBox', 'message']);
    assert.equal(share?.fetchTask, true);
    assert.deepEqual(share?.context, ['compose', 'commandBox']);
    assert.deepEqual(m.permissions, ['identity', 'messageTeamMembers']);
  });

  test('id, SSO and validDomains come from the configuration', () => {
    const plain = buildManifest(configOf());
    assert.equal(plain.id, CLIENT_ID, 'the app id defaults to the Entra client id');
    assert.deepEqual(plain.webApplicationInfo, {
      id: CLIENT_ID,
      resource: `api://trellis.contoso.com/${CLIENT_ID}`,
    });
    assert.deepEqual(plain.validDomains, ['trellis.contoso.com']);
    assert.equal(plain.name.short, 'Trellis');
    assert.equal(plain.accentColor, TRELLIS_ACCENT_COLOR);
    assert.ok(plain.description.short.length <= 80 && plain.description.full.length <= 4000);

    const custom = buildManifest(
      configOf({
        TEAMS_APP_ID,
        TEAMS_APP_NAME: 'Contoso Teams',
        TEAMS_VALID_DOMAINS:
          'Intranet.Contoso.com, trellis.contoso.com,*.sharepoint.com,intranet.contoso.com',
      }),
      { version: '2.3.4' },
    );
    assert.equal(custom.id, TEAMS_APP_ID);
    assert.equal(custom.bots?.[0]?.botId, CLIENT_ID, 'the bot stays the Entra app');
    assert.equal(custom.webApplicationInfo?.id, CLIENT_ID);
    assert.equal(custom.name.short, 'Contoso Teams');
    assert.equal(custom.version, '2.3.4');
    assert.deepEqual(custom.validDomains, [
      'trellis.contoso.com',
      'intranet.contoso.com',
      '*.sharepoint.com',
    ]);
  });

  test('a public URL with a port keeps it in validDomains and the SSO resource (localhost:8443)', async () => {
    const m = buildManifest(configOf({ PUBLIC_URL: 'https://localhost:8443' }));
    assert.deepEqual(m.validDomains, ['localhost:8443']);
    assert.equal(m.webApplicationInfo?.resource, `api://localhost:8443/${CLIENT_ID}`);
    assert.deepEqual(await validateManifest(m), []);
  });

  test("the version is Trellis's own (package.json), as x.y.z", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const m = buildManifest(configOf());
    assert.match(m.version, /^\d+\.\d+\.\d+$/);
    assert.ok(pkg.version.startsWith(m.version));
  });

  test('without Microsoft 365 there is no manifest: a config error says what to set', () => {
    const sandboxDefault = loadConfig({}, '/srv/trellis');
    assert.throws(() => buildManifest(sandboxDefault), refusedNaming('M365_CLIENT_ID'));
    assert.throws(
      () => buildManifest(loadConfig({ TEAMS_APP_ID }, '/srv/trellis')),
      (e: unknown) => refusedNaming('M365_CLIENT_ID')(e) && /M365_TENANT_ID/.test((e as Error).message),
      'an app id alone is not enough: the bot is the Entra app',
    );
  });

  test('the same configuration gives the same package bytes', async () => {
    const a = await buildAppPackage(configOf());
    const b = await buildAppPackage(configOf());
    assert.deepEqual(Buffer.from(a.zip), Buffer.from(b.zip));
  });
});

describe('Teams settings', () => {
  test('TEAMS_APP_ID, TEAMS_APP_NAME, TEAMS_VALID_DOMAINS are read into config.teams', () => {
    assert.deepEqual(loadConfig({}, '/srv').teams, {
      appId: undefined,
      appName: 'Trellis',
      validDomains: [],
    });
    const c = loadConfig(
      {
        TEAMS_APP_ID,
        TEAMS_APP_NAME: ' Contoso Teams ',
        TEAMS_VALID_DOMAINS: 'a.example.com,*.B.example.com',
      },
      '/srv',
    );
    assert.deepEqual(c.teams, {
      appId: TEAMS_APP_ID,
      appName: 'Contoso Teams',
      validDomains: ['a.example.com', '*.b.example.com'],
    });
    assert.ok(Object.isFrozen(c.teams.validDomains));
  });

  test('bad values are refused naming their variable', () => {
    const bad = (env: Record<string, string>, variable: string) =>
      assert.throws(() => loadConfig(env, '/srv'), refusedNaming(variable), JSON.stringify(env));
    bad({ TEAMS_APP_ID: 'trellis' }, 'TEAMS_APP_ID');
    bad({ TEAMS_APP_NAME: 'A name far longer than thirty chars' }, 'TEAMS_APP_NAME');
    bad({ TEAMS_VALID_DOMAINS: 'https://intranet.contoso.com' }, 'TEAMS_VALID_DOMAINS');
    bad({ TEAMS_VALID_DOMAINS: 'intranet.contoso.com:8443' }, 'TEAMS_VALID_DOMAINS');
    bad({ TEAMS_VALID_DOMAINS: 'intranet.contoso.com/path' }, 'TEAMS_VALID_DOMAINS');
    bad({ TEAMS_VALID_DOMAINS: 'a.*.contoso.com' }, 'TEAMS_VALID_DOMAINS');
    bad({ TEAMS_VALID_DOMAINS: '-bad-.contoso.com' }, 'TEAMS_VALID_DOMAINS');
  });
});
