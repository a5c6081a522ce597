import { readFileSync } from 'node:fs';
import { Command } from 'commander';

/** Trellis's version, and the runtime it runs on. */
export function trellisVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function versionCommand(): Command {
  return new Command('version')
    .description('Print the Trellis version')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) => {
      const info = {
        trellis: trellisVersion(),
        node: process.versions.node,
        openssl: process.versions.openssl,
      };
      process.stdout.write(
        options.json
          ? `${JSON.stringify(info)}\n`
          : `trellis ${info.trellis} (node ${info.node}, openssl ${info.openssl})\n`,
      );
    });
}
