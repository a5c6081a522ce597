import { readFile } from 'node:fs/promises';
import Table from 'cli-table3';
import { Command } from 'commander';
import { errors } from '../../errors/index.ts';
import {
  type ServedCertificateReport,
  servedCertificate,
  servedCertificateReport,
  urlCertificate,
} from '../../network/index.ts';
import { loadCliConfig } from '../load-cli-config.ts';

/** Reads a PEM file of extra trust anchors. @throws AppError validation_failed when it cannot be read. */
export async function readCaFile(file: string | undefined): Promise<string[]> {
  if (!file) return [];
  try {
    return [await readFile(file, 'utf8')];
  } catch (error) {
    throw errors.validation(
      `--ca-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** Renders the report as a two-column table, the chain and the advice below it. */
export function renderCertificateTable(report: ServedCertificateReport): string {
  const table = new Table({ style: { head: [], border: [] }, wordWrap: true, colWidths: [22, 100] });
  const key =
    report.keyType === 'RSA' || report.keyType === 'RSA-PSS'
      ? `${report.keyType} ${report.keyBits} bits, exponent ${report.rsaExponent ?? '?'}`
      : report.ecCurve
        ? `${report.keyType} ${report.keyBits} bits, curve ${report.ecCurve}`
        : `${report.keyType} ${report.keyBits} bits`;
  const rows: [string, string][] = [
    ['domain', `${report.domain}${report.coversDomain ? '' : ' (NOT covered by this certificate)'}`],
    ['source', report.source],
    ...(report.verification
      ? [
          [
            'trusted',
            report.verification.trusted ? 'yes' : `NO (${report.verification.error ?? 'not verified'})`,
          ] as [string, string],
        ]
      : []),
    ['subject', report.subject],
    ['alternative names', report.subjectAltNames.join(', ') || '(none)'],
    ['issuer', report.issuer],
    ['serial', report.serial],
    ['valid from', report.validFrom],
    ['valid to', `${report.validTo} (${report.daysRemaining} days left)`],
    ['key', key],
    ['signature algorithm', report.signatureAlgorithm],
    ['SHA-256 fingerprint', report.fingerprintSha256],
    ['SPKI pin (sha256)', report.spkiPin],
  ];
  report.chain.forEach((cert, i) => {
    rows.push([
      i === 0 ? 'chain 0 (leaf)' : `chain ${i}`,
      `${cert.subject}\nissued by ${cert.issuer}\nSPKI pin ${cert.spkiPin}`,
    ]);
  });
  for (const row of rows) table.push(row);
  return `${table.toString()}\n${report.advice}\n`;
}

export function tlsReportCommand(): Command {
  return new Command('report')
    .description(
      "Report on the certificate this deployment serves (or any HTTPS endpoint's), for security teams",
    )
    .option('--json', 'machine-readable output')
    .option('--url <url>', 'report on this https://host[:port] instead of this deployment')
    .option('--ca-file <file>', 'extra trusted CA certificates (PEM) for verifying what is served')
    .action(async (options: { json?: boolean; url?: string; caFile?: string }) => {
      const ca = await readCaFile(options.caFile);
      // --url needs no configuration: it works on any machine, for any endpoint.
      const served = options.url
        ? await urlCertificate(options.url, { ca })
        : await servedCertificate(loadCliConfig(), { ca });
      const report = servedCertificateReport(served);
      process.stdout.write(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : renderCertificateTable(report),
      );
    });
}
