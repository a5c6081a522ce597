import path from 'node:path';
import { Command } from 'commander';
import { errors, isAppError } from '../../errors/index.ts';
import type { Domain } from '../../runtime/domain.ts';
import {
  checkTemplate,
  diffTemplates,
  formatTemplate,
  type TemplateDiff,
  type TemplateDocument,
  type TemplateFormat,
} from '../../templates/index.ts';
import { resolveTenant } from '../resolve-tenant.ts';
import { CLI_ACTOR } from '../with-db.ts';
import {
  readAssetsBeside,
  readTemplateFile,
  templateFiles,
  withDomain,
  writeTemplateFile,
} from './template-files.ts';

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

/** `trellis template validate|export|import|diff`: a catalog kept as files in git, deployed from CI. */
export function templateCommand(): Command {
  const template = new Command('template').description('Templates as code (JSON or YAML files)');

  template
    .command('validate')
    .description('Check template files offline; exit 2 with every problem and its path')
    .argument('<files...>', 'template files or folders')
    .action(async (targets: string[]) => {
      let invalid = 0;
      for (const target of targets) {
        for (const file of await templateFiles(target)) {
          const issues = await issuesOf(file);
          if (issues.length === 0) {
            out(`✓ ${file}\n`);
            continue;
          }
          invalid++;
          err(`✗ ${file}\n`);
          for (const issue of issues) err(`  ${issue.path || '/'}: ${issue.message}\n`);
        }
      }
      if (invalid > 0) {
        err(`${invalid} invalid template file(s)\n`);
        process.exitCode = 2;
      }
    });

  template
    .command('export')
    .description('Write templates as files (stdout for one template without --out)')
    .argument('[slug]', 'template slug (or use --all)')
    .requiredOption('--tenant <slug>', 'tenant slug or id')
    .option('--all', 'every template of the tenant')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('--out <dir>', 'folder to write <slug>.yaml (or .json) into')
    .option('--version <n>', 'a given version instead of the current one')
    .option('--with-assets', 'also write the assets, into <slug>.assets/ beside each file')
    .action(
      async (
        slug: string | undefined,
        options: {
          tenant: string;
          all?: boolean;
          format: string;
          out?: string;
          version?: string;
          withAssets?: boolean;
        },
      ) => {
        const format = formatOption(options.format);
        if (!slug && !options.all) throw errors.validation('Name a template slug, or use --all');
        if (options.all && !options.out) throw errors.validation('--all needs --out <dir>');
        if (options.withAssets && !options.out) throw errors.validation('--with-assets needs --out <dir>');
        await withDomain(async (domain, db) => {
          const { tenantId } = await resolveTenant(db, options.tenant);
          const slugs = options.all ? await allSlugs(domain, tenantId) : [slug as string];
          for (const s of slugs) {
            const current = await domain.templates.get(tenantId, s);
            const version = options.version ? Number(options.version) : current.currentVersion;
            const found = await domain.templates.getVersion(tenantId, current.templateId, version);
            const document = found.document as TemplateDocument;
            if (!options.out) {
              out(formatTemplate(document, format));
              continue;
            }
            const assets = options.withAssets
              ? await Promise.all(
                  found.assets.map(async (a) => ({
                    name: a.name,
                    data: (await domain.templates.getAsset(tenantId, current.templateId, a.name, version))
                      .data,
                  })),
                )
              : undefined;
            const file = await writeTemplateFile(options.out, document, format, assets);
            err(`exported ${s} v${version} → ${file}${assets ? ` (+${assets.length} asset(s))` : ''}\n`);
          }
        });
      },
    );

  template
    .command('import')
    .description('Create or update templates from files; a version is made only when a document differs')
    .argument('<path>', 'a template file or a folder of them')
    .requiredOption('--tenant <slug>', 'tenant slug or id')
    .option('--comment <text>', 'version comment')
    .option('--with-assets', 'upload the files of <name>.assets/ beside each template file')
    .option('--dry-run', 'check and show what would change, save nothing')
    .action(
      async (
        target: string,
        options: { tenant: string; comment?: string; withAssets?: boolean; dryRun?: boolean },
      ) => {
        const files = await templateFiles(target);
        let failed = 0;
        await withDomain(async (domain, db) => {
          const { tenantId } = await resolveTenant(db, options.tenant);
          for (const file of files) {
            try {
              const input = await readTemplateFile(file);
              const checked = await domain.templates.validate(tenantId, input);
              if (!checked.valid || !checked.document) {
                failed++;
                err(`✗ ${file}\n`);
                for (const issue of checked.issues) err(`  ${issue.path || '/'}: ${issue.message}\n`);
                continue;
              }
              const document = checked.document;
              const assets = options.withAssets ? await readAssetsBeside(file) : [];
              const existing = await domain.templates.get(tenantId, document.slug).catch((error: unknown) => {
                if (isAppError(error) && error.code === 'not_found') return undefined;
                throw error;
              });
              if (!existing) {
                if (options.dryRun) {
                  out(`would create ${document.slug}\n`);
                  continue;
                }
                const created = await domain.templates.create(
                  tenantId,
                  { document, comment: options.comment, assets },
                  { actor: CLI_ACTOR },
                );
                out(
                  `created ${created.slug} v${created.currentVersion}${assets.length ? ` with ${assets.length} asset(s)` : ''}\n`,
                );
                continue;
              }
              if (options.dryRun) {
                printDiff(
                  `${document.slug}: v${existing.currentVersion} → file`,
                  diffTemplates(existing.document, document),
                );
                continue;
              }
              const saved = await domain.templates.update(
                tenantId,
                existing.templateId,
                { document, comment: options.comment, assets },
                { actor: CLI_ACTOR },
              );
              if (!saved.changed) {
                out(`unchanged ${saved.template.slug} (v${saved.template.currentVersion})\n`);
                continue;
              }
              out(
                `updated ${saved.template.slug} v${existing.currentVersion} → v${saved.template.currentVersion}\n`,
              );
              for (const line of saved.diff?.summary ?? []) out(`  ${line}\n`);
            } catch (error) {
              if (!isAppError(error)) throw error;
              failed++;
              err(`✗ ${file}: ${error.message}\n`);
            }
          }
        });
        if (failed > 0) {
          err(`${failed} file(s) not imported\n`);
          process.exitCode = 2;
        }
      },
    );

  template
    .command('diff')
    .description(
      'Differences between a file (or <slug>@<version>) and the current template (or --against <slug>@<version>)',
    )
    .argument('<source>', 'a template file, or <slug>@<version>')
    .requiredOption('--tenant <slug>', 'tenant slug or id')
    .option('--against <ref>', '<slug>@<version> to compare with (default: the current version)')
    .option('--json', 'print the JSON Patch and summary as JSON')
    .action(async (source: string, options: { tenant: string; against?: string; json?: boolean }) => {
      await withDomain(async (domain, db) => {
        const { tenantId } = await resolveTenant(db, options.tenant);
        const load = async (ref: string): Promise<{ label: string; document: TemplateDocument }> => {
          const match = /^([a-z0-9-]+)@(\d+)$/.exec(ref);
          if (match) {
            const [, slug, version] = match as unknown as [string, string, string];
            const t = await domain.templates.get(tenantId, slug);
            const v = await domain.templates.getVersion(tenantId, t.templateId, Number(version));
            return { label: ref, document: v.document as TemplateDocument };
          }
          const checked = await domain.templates.validate(tenantId, await readTemplateFile(ref));
          if (!checked.document) {
            throw errors.validation(`${ref} is not a valid template`, { issues: checked.issues });
          }
          return { label: path.basename(ref), document: checked.document };
        };
        const left = await load(source);
        let right: { label: string; document: TemplateDocument };
        if (options.against) right = await load(options.against);
        else {
          const current = await domain.templates.get(tenantId, left.document.slug);
          right = { label: `${current.slug}@${current.currentVersion}`, document: current.document };
        }
        // Read as "what applying the source would change": from the reference to the source.
        const diff = diffTemplates(right.document, left.document);
        if (options.json) out(`${JSON.stringify(diff, null, 2)}\n`);
        else printDiff(`${right.label} → ${left.label}`, diff);
      });
    });

  return template;
}

async function issuesOf(file: string): Promise<{ path: string; message: string }[]> {
  try {
    const result = await checkTemplate(await readTemplateFile(file));
    return result.issues;
  } catch (error) {
    if (isAppError(error)) return [{ path: '', message: error.message }];
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [{ path: '', message: 'file not found' }];
    throw error;
  }
}

function printDiff(title: string, diff: TemplateDiff): void {
  if (diff.patch.length === 0) {
    out(`${title}: no differences\n`);
    return;
  }
  out(`${title}:\n`);
  for (const line of diff.summary) out(`  ${line}\n`);
  for (const op of diff.patch) {
    const value = op.value === undefined ? '' : ` ${JSON.stringify(op.value).slice(0, 200)}`;
    out(`  ${op.op} ${op.from ? `${op.from} → ` : ''}${op.path}${value}\n`);
  }
}

function formatOption(value: string): TemplateFormat {
  if (value !== 'yaml' && value !== 'json') throw errors.validation('--format is yaml or json');
  return value;
}

async function allSlugs(domain: Domain, tenantId: string): Promise<string[]> {
  const slugs: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await domain.templates.list(tenantId, { cursor, limit: 200 });
    slugs.push(...page.items.map((t) => t.slug));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return slugs.sort();
}
