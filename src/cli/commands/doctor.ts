import Table from 'cli-table3';
import { Command } from 'commander';
import {
  allowlist,
  checkDomains,
  type DomainCheck,
  domainTargets,
  parseDomainList,
} from '../../network/index.ts';
import { type CheckLine, runDoctorChecks } from '../doctor/run-checks.ts';
import { loadCliConfig } from '../load-cli-config.ts';
import { readCaFile } from './tls-report.ts';

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

/** Renders the domain checks as a table, one verdict per domain. */
export function renderNetworkTable(checks: readonly DomainCheck[]): string {
  const table = new Table({
    head: ['domain', 'verdict', 'protocol', 'latency', 'detail'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [34, 9, 10, 10, 64],
  });
  for (const c of checks) {
    const detail = [c.reason, c.cipher, c.address ? `at ${c.address}` : undefined].filter(Boolean).join('; ');
    table.push([
      c.port === 443 ? c.host : `${c.host}:${c.port}`,
      MARK[c.verdict],
      c.protocol ?? '-',
      c.latencyMs === undefined ? '-' : `${c.latencyMs} ms`,
      detail,
    ]);
  }
  const failed = checks.filter((c) => c.verdict === 'fail').length;
  const warned = checks.filter((c) => c.verdict === 'warn').length;
  const summary =
    failed > 0
      ? `${failed} of ${checks.length} domain(s) failed`
      : warned > 0
        ? `${checks.length} domain(s) reachable, with ${warned} warning(s)`
        : `all ${checks.length} domain(s) reachable over TLS 1.2+ with valid certificates`;
  return `${table.toString()}\n${summary}\n`;
}

/** `trellis doctor network`: every allowlisted domain (or --domains), reached from this machine. */
export function doctorNetworkCommand(): Command {
  return new Command('network')
    .description('Resolve, connect and TLS-handshake every domain this deployment serves or calls')
    .option('--json', 'machine-readable output')
    .option('--ca-file <file>', 'extra trusted CA certificates (PEM)')
    .option('--domains <list>', 'check these instead of the allowlist: host1,host2:port')
    .action(async (_options: unknown, command: Command) => {
      // Commander hands `doctor network --json` to the parent's own --json: read both levels.
      const options = command.optsWithGlobals<{ json?: boolean; caFile?: string; domains?: string }>();
      // With --domains no configuration is needed: the command then works on any machine.
      const targets = options.domains
        ? parseDomainList(options.domains)
        : domainTargets(allowlist(loadCliConfig()));
      const checks = await checkDomains(targets, { ca: await readCaFile(options.caFile) });
      process.stdout.write(
        options.json ? `${JSON.stringify(checks, null, 2)}\n` : renderNetworkTable(checks),
      );
      if (checks.some((c) => c.verdict === 'fail')) process.exitCode = 1;
    });
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('Check configuration, database, cache, blob store, key provider and certificate')
    .option('--json', 'machine-readable output')
    .addCommand(doctorNetworkCommand())
    .action(async (options: { json?: boolean }) => {
      const config = loadCliConfig();
      const lines = await runDoctorChecks(config);
      process.stdout.write(options.json ? `${JSON.stringify(lines, null, 2)}\n` : renderDoctorTable(lines));
      if (lines.some((l) => l.verdict === 'fail')) process.exitCode = 1;
    });
}
