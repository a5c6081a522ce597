import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'trellis.js');
const starter = path.join(root, 'src', 'templates', 'starter-catalog');

/** Templates as code with the real CLI, against an embedded database no server holds. */
describe('trellis template (templates as code)', () => {
  let dir: string;
  let dataDir: string;

  async function trellis(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
        env: { PATH: process.env.PATH, DATA_DIR: dataDir, ENV_FILE: '', LOG_LEVEL: 'warn' },
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return {
        code: typeof e.code === 'number' ? e.code : 1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      };
    }
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trellis-cli-template-'));
    dataDir = path.join(dir, 'data');
    const created = await trellis(['tenant', 'create', 'acme', 'Acme']);
    assert.equal(created.code, 0, created.stderr);
    // A catalog folder as it would live in git: files plus <slug>.assets/ folders.
    await mkdir(path.join(dir, 'catalog'));
    for (const slug of ['event', 'project']) {
      await cp(path.join(starter, `${slug}.yaml`), path.join(dir, 'catalog', `${slug}.yaml`));
      await cp(path.join(starter, 'assets', slug), path.join(dir, 'catalog', `${slug}.assets`), {
        recursive: true,
      });
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('validate is offline: valid files pass; an invalid one exits 2 listing every problem with its path', async () => {
    const ok = await trellis(['template', 'validate', path.join(dir, 'catalog', 'event.yaml')]);
    assert.equal(ok.code, 0, ok.stderr);
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'schemaVersion: 1\nslug: Bad Slug\nname: x\nchannels:\n  - displayName: General\naudience:\n  rule: "user.nope"\n',
    );
    const r = await trellis(['template', 'validate', bad]);
    assert.equal(r.code, 2);
    for (const p of ['/slug', '/channels/0/displayName', '/audience/rule'])
      assert.match(r.stderr, new RegExp(`${p}:`));
  });

  test('import creates templates with their assets; export → import → export is byte-identical', async () => {
    // project.yaml names tenant fields: they are created like an admin would first.
    const fields = await trellis([
      'template',
      'import',
      path.join(dir, 'catalog'),
      '--tenant',
      'acme',
      '--with-assets',
    ]);
    assert.equal(fields.code, 2, 'costCenter is not defined in this tenant yet');
    assert.match(fields.stderr, /metadataFieldRefs\/0: no tenant metadata field has the key "costCenter"/);
    assert.match(fields.stdout, /created event v1 with 2 asset\(s\)/);

    await writeFile(
      path.join(dir, 'catalog', 'project.yaml'),
      (await readFile(path.join(dir, 'catalog', 'project.yaml'), 'utf8'))
        .replace('metadataFieldRefs: [costCenter]', 'metadataFieldRefs: []')
        .replaceAll('{{ metadata.costCenter }}', 'n/a'),
    );
    const imported = await trellis([
      'template',
      'import',
      path.join(dir, 'catalog'),
      '--tenant',
      'acme',
      '--with-assets',
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /unchanged event \(v1\)/);
    assert.match(imported.stdout, /created project v1 with 4 asset\(s\)/);

    const first = path.join(dir, 'export-1');
    const exported = await trellis([
      'template',
      'export',
      '--all',
      '--tenant',
      'acme',
      '--out',
      first,
      '--with-assets',
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual((await readdir(first)).sort(), [
      'event.assets',
      'event.yaml',
      'project.assets',
      'project.yaml',
    ]);
    assert.deepEqual(
      await readFile(path.join(first, 'project.assets', 'icon.png')),
      await readFile(path.join(starter, 'assets', 'project', 'icon.png')),
    );
    assert.equal((await trellis(['template', 'validate', first])).code, 0);

    const again = await trellis(['template', 'import', first, '--tenant', 'acme', '--with-assets']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /unchanged event \(v1\)\nunchanged project \(v1\)/);
    const second = path.join(dir, 'export-2');
    assert.equal(
      (await trellis(['template', 'export', '--all', '--tenant', 'acme', '--out', second])).code,
      0,
    );
    for (const file of ['event.yaml', 'project.yaml']) {
      assert.equal(
        await readFile(path.join(second, file), 'utf8'),
        await readFile(path.join(first, file), 'utf8'),
        file,
      );
    }
    const json = await trellis(['template', 'export', 'event', '--tenant', 'acme', '--format', 'json']);
    assert.equal(JSON.parse(json.stdout).slug, 'event');
  });

  test('diff shows what a file would change; import then makes exactly one new version', async () => {
    const file = path.join(dir, 'export-1', 'event.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      text.replace('name: Event', 'name: Company event').replace('visibility: public', 'visibility: private'),
    );
    const diff = await trellis(['template', 'diff', file, '--tenant', 'acme']);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /event@1 → event\.yaml/);
    assert.match(diff.stdout, /visibility changed from public to private/);
    assert.match(diff.stdout, /replace \/name "Company event"/);

    const imported = await trellis(['template', 'import', file, '--tenant', 'acme', '--comment', 'rename']);
    assert.match(imported.stdout, /updated event v1 → v2\n {2}name changed/);
    const versions = await trellis([
      'template',
      'diff',
      'event@1',
      '--against',
      'event@2',
      '--tenant',
      'acme',
      '--json',
    ]);
    const parsed = JSON.parse(versions.stdout) as { summary: string[] };
    assert.ok(parsed.summary.includes('name changed'));
  });
});
