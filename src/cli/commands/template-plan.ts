import Table from 'cli-table3';
import { Command } from 'commander';
import { resolveTenant } from '../resolve-tenant.ts';
import { withDomain } from './template-files.ts';

const out = (text: string) => process.stdout.write(text);

/** `trellis template plan`: the Graph operations a template would perform in a tenant, nothing written. */
export function templatePlanCommand(): Command {
  return new Command('plan')
    .description('List the Microsoft Graph operations provisioning a template would perform (a dry run)')
    .argument('<template>', 'template slug or id')
    .requiredOption('--tenant <slug>', 'the tenant (slug or id)')
    .option('--version <n>', 'a template version (default: the current one)', (v) => Number.parseInt(v, 10))
    .option('--name <name>', 'a sample team name', 'Sample')
    .option('--requester <upn>', 'a sample requester (default: a permanent owner of the template)')
    .option('--json', 'print the plan as JSON')
    .action(
      async (
        template: string,
        options: { tenant: string; version?: number; name: string; requester?: string; json?: boolean },
      ) => {
        await withDomain(async (domain, db) => {
          const { tenantId } = await resolveTenant(db, options.tenant);
          const plan = await domain.provisioning.plan(tenantId, template, {
            version: options.version,
            name: options.name,
            requester: options.requester,
          });
          if (options.json) {
            out(`${JSON.stringify(plan, null, 2)}\n`);
            return;
          }
          out(
            `Template ${template} v${plan.version}: team "${plan.names.displayName}" (${plan.names.mailNickname})\n`,
          );
          const table = new Table({
            head: ['#', 'step', 'call', 'what'],
            wordWrap: true,
            colWidths: [5, 18, 52, 60],
          });
          plan.operations.forEach((op, i) =>
            table.push([i + 1, op.step, `${op.method} ${op.path}`, op.description]),
          );
          out(`${table.toString()}\n${plan.operations.length} operations, nothing written.\n`);
          for (const w of plan.warnings) out(`! ${w}\n`);
        });
      },
    );
}
