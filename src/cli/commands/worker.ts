import { Command } from 'commander';
import { errors } from '../../errors/index.ts';
import { createDomain } from '../../runtime/domain.ts';
import { openServices } from '../../runtime/services.ts';
import { createLogger, startTelemetry } from '../../telemetry/index.ts';
import { loadCliConfig } from '../load-cli-config.ts';

/**
 * `trellis worker`: a process that only runs jobs (provisioning runs, event dispatch, webhook deliveries,
 * schedules) on PostgreSQL, beside web instances. Stops on SIGTERM/SIGINT after its runs reach a safe
 * point; runs it could not finish are resumed by another worker.
 */
export function workerCommand(): Command {
  return new Command('worker')
    .description('Run background jobs only (provisioning workers), on a shared PostgreSQL')
    .action(runWorker);
}

/** Runs this process as a worker until SIGTERM/SIGINT (`trellis worker`, `trellis start --role worker`). */
export async function runWorker(): Promise<void> {
  const config = loadCliConfig();
  if (!config.database.url) {
    // The embedded database belongs to one process: `trellis start` runs its workers in-process.
    throw errors.config(
      'DATABASE_URL',
      'a separate worker needs PostgreSQL (the embedded database is single-process)',
    );
  }
  const log = createLogger(config.logLevel);
  const telemetry = await startTelemetry(config, log, { role: 'worker' });
  const services = await openServices(config, { migrate: true });
  const domain = await createDomain({ config, log, ...services });
  await domain.start({ workers: true });
  log.info({ pid: process.pid, role: 'worker' }, 'worker started');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'worker stopping');
    void domain
      .stop()
      .then(() => services.close())
      .then(() => telemetry.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'worker stop failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
