import Table from 'cli-table3';
import { Command } from 'commander';
import { errors } from '../../errors/index.ts';
import { allowlist, flowDiagram, internalFlows, isProxyAddress, proxyPac } from '../../network/index.ts';
import { loadCliConfig } from '../load-cli-config.ts';

/** `trellis network domains|pac|flows`: what this deployment serves and calls, from its configuration. */
export function networkCommand(): Command {
  const network = new Command('network').description("This deployment's network flows, for network teams");
  network.addCommand(
    new Command('domains')
      .description('The domains this deployment serves and calls (purpose, direction, port, protocol)')
      .option('--json', 'machine-readable output')
      .action((options: { json?: boolean }) => {
        const config = loadCliConfig();
        const entries = allowlist(config);
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({ domains: entries, internal: internalFlows(config) }, null, 2)}\n`,
          );
          return;
        }
        const table = new Table({
          head: ['#', 'host', 'port', 'direction', 'service', 'purpose'],
          style: { head: [], border: [] },
          wordWrap: true,
          colWidths: [4, 34, 11, 11, 20, 50],
        });
        for (const e of entries) {
          table.push([e.id, e.host, `${e.protocol} ${e.port}`, e.direction, e.service, e.purpose]);
        }
        process.stdout.write(`${table.toString()}\n`);
      }),
  );
  network.addCommand(
    new Command('pac')
      .description('A proxy auto-config file: these domains DIRECT, the rest to --proxy')
      .option('--proxy <host:port>', 'the proxy for everything else')
      .action((options: { proxy?: string }) => {
        const config = loadCliConfig();
        if (options.proxy !== undefined && !isProxyAddress(options.proxy)) {
          throw errors.validation('--proxy must be host:port, e.g. proxy.contoso.com:8080');
        }
        process.stdout.write(
          proxyPac(allowlist(config), {
            source: config.publicUrl,
            ...(options.proxy ? { proxy: options.proxy } : {}),
          }),
        );
      }),
  );
  network.addCommand(
    new Command('flows').description('The network flow diagram (SVG) of this deployment').action(() => {
      const config = loadCliConfig();
      process.stdout.write(
        flowDiagram(allowlist(config), internalFlows(config), `Trellis network flows — ${config.publicUrl}`),
      );
    }),
  );
  return network;
}
