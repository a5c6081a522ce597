import { Command } from 'commander';
import { errors } from '../../errors/index.ts';
import { checkTemplate } from '../../templates/index.ts';
import { resolveTenant } from '../resolve-tenant.ts';
import { CLI_ACTOR } from '../with-db.ts';
import { withDomain, writeTemplateFile } from './template-files.ts';

const out = (text: string) => process.stdout.write(text);

/** `trellis template capture`: a template from an existing team, saved in the catalog or written as files. */
export function templateCaptureCommand(): Command {
  return new Command('capture')
    .description('Create a template from an existing team (channels, tabs, apps, files, Planner plans)')
    .requiredOption('--team <id>', 'the team (its group id)')
    .requiredOption('--tenant <slug>', 'the tenant (slug or id)')
    .requiredOption('--slug <slug>', 'the new template slug')
    .requiredOption('--name <name>', 'the new template name')
    .option('--out-dir <dir>', 'write <slug>.yaml and its assets folder there instead of saving the template')
    .option('--format <format>', 'yaml or json (with --out-dir)', 'yaml')
    .action(
      async (options: {
        team: string;
        tenant: string;
        slug: string;
        name: string;
        outDir?: string;
        format: string;
      }) => {
        if (options.format !== 'yaml' && options.format !== 'json')
          throw errors.validation('--format is yaml or json');
        await withDomain(async (domain, db) => {
          const { tenantId } = await resolveTenant(db, options.tenant);
          const input = { teamId: options.team, slug: options.slug, name: options.name };
          if (options.outDir) {
            const captured = await domain.provisioning.captureDocument(tenantId, input);
            const checked = await checkTemplate(captured.document);
            if (!checked.ok) {
              throw errors.validation('the captured template is not valid', {
                issues: checked.issues.map((i) => `${i.path}: ${i.message}`),
              });
            }
            const file = await writeTemplateFile(
              options.outDir,
              checked.document,
              options.format as 'yaml' | 'json',
              captured.assets,
            );
            out(`Wrote ${file} and ${captured.assets.length} assets\n`);
            for (const w of captured.warnings) out(`! ${w}\n`);
            return;
          }
          const { template, warnings } = await domain.provisioning.capture(tenantId, input, CLI_ACTOR);
          out(
            `Created template ${template.slug} (${template.templateId}) version ${template.currentVersion}\n`,
          );
          for (const w of warnings) out(`! ${w}\n`);
        });
      },
    );
}
