import { Command, Option } from 'commander';
import { errors } from '../../errors/index.ts';
import { exitOnSignals, startTrellis } from '../../main.ts';
import { createLogger } from '../../telemetry/index.ts';
import { loadCliConfig } from '../load-cli-config.ts';
import { runWorker } from './worker.ts';

/**
 * `trellis start [--role web|worker|all]`: `all` (the default) serves HTTP and runs the job workers in
 * one process; `web` serves HTTP only (stateless: jobs it enqueues wait in PostgreSQL for workers);
 * `worker` runs jobs only. Separate roles need PostgreSQL: the embedded database is single-process.
 */
export function startCommand(): Command {
  return new Command('start')
    .description('Run Trellis (HTTPS, migrations at start)')
    .addOption(
      new Option('--role <role>', 'web: HTTP only; worker: jobs only; all: both')
        .choices(['web', 'worker', 'all'])
        .default('all'),
    )
    .action(async (options: { role: 'web' | 'worker' | 'all' }) => {
      if (options.role === 'worker') return runWorker();
      const config = loadCliConfig();
      if (options.role === 'web' && !config.database.url) {
        throw errors.config(
          'DATABASE_URL',
          'a web-only instance needs PostgreSQL shared with workers (--role web)',
        );
      }
      const log = createLogger(config.logLevel);
      const running = await startTrellis(config, { log, workers: options.role === 'all' });
      log.info({ role: options.role }, 'role');
      exitOnSignals(running, log);
    });
}
