import { Command } from 'commander';
import { exitOnSignals, startTrellis } from '../../main.ts';
import { createLogger } from '../../telemetry/index.ts';
import { loadCliConfig } from '../load-cli-config.ts';

export function startCommand(): Command {
  return new Command('start').description('Run Trellis (HTTPS, migrations at start)').action(async () => {
    const config = loadCliConfig();
    const log = createLogger(config.logLevel);
    const running = await startTrellis(config, { log });
    exitOnSignals(running, log);
  });
}
