import Table from 'cli-table3';
import { Command } from 'commander';
import { type CheckLine, runDoctorChecks } from '../doctor/run-checks.ts';
import { loadCliConfig } from '../load-cli-config.ts';

const MARK = { ok: 'OK', warn: 'WARN', fail: 'FAIL' } as const;

/** Renders the checks as a table, one verdict per line. */
export function renderDoctorTable(lines: readonly CheckLine[]): string {
  const table = new Table({
    head: ['check', 'verdict', 'detail'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [16, 9, 90],
  });
  for (const line of lines) table.push([line.check, MARK[line.verdict], line.detail]);
  const failed = lines.filter((l) => l.verdict === 'fail').length;
  const warned = lines.filter((l) => l.verdict === 'warn').length;
  const summary =
    failed > 0
      ? `${failed} check(s) failed`
      : warned > 0
        ? `healthy, with ${warned} warning(s)`
        : 'all checks passed';
  return `${table.toString()}\n${summary}\n`;
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('Check configuration, database, cache, blob store, key provider and certificate')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const config = loadCliConfig();
      const lines = await runDoctorChecks(config);
      process.stdout.write(options.json ? `${JSON.stringify(lines, null, 2)}\n` : renderDoctorTable(lines));
      if (lines.some((l) => l.verdict === 'fail')) process.exitCode = 1;
    });
}
