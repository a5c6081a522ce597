import { Command, CommanderError } from 'commander';
import { exitCodeFor, isAppError } from '../errors/index.ts';
import { dbMigrateCommand } from './commands/db-migrate.ts';
import { doctorCommand } from './commands/doctor.ts';
import { keysRewrapCommand } from './commands/keys-rewrap.ts';
import { keysRotateCommand } from './commands/keys-rotate.ts';
import { manifestCommand } from './commands/manifest.ts';
import { networkCommand } from './commands/network.ts';
import { requestCommand } from './commands/request.ts';
import { startCommand } from './commands/start.ts';
import { templateCommand } from './commands/template.ts';
import { templateCaptureCommand } from './commands/template-capture.ts';
import { templatePlanCommand } from './commands/template-plan.ts';
import { tenantCommand } from './commands/tenant.ts';
import { tlsReportCommand } from './commands/tls-report.ts';
import { tokenCommand } from './commands/token.ts';
import { versionCommand } from './commands/version.ts';
import { workerCommand } from './commands/worker.ts';

/** Builds the `trellis` program; each command lives in commands/<noun-verb>.ts. */
export function buildProgram(): Command {
  const program = new Command('trellis')
    .description('Trellis: governance for Microsoft Teams')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(startCommand());
  program.addCommand(workerCommand());
  const db = new Command('db').description('Database maintenance');
  db.addCommand(dbMigrateCommand());
  program.addCommand(db);
  program.addCommand(doctorCommand());
  const keys = new Command('keys').description('Key-encryption keys');
  keys.addCommand(keysRotateCommand());
  keys.addCommand(keysRewrapCommand());
  program.addCommand(keys);
  program.addCommand(
    templateCommand().addCommand(templatePlanCommand()).addCommand(templateCaptureCommand()),
  );
  program.addCommand(networkCommand());
  program.addCommand(requestCommand());
  program.addCommand(manifestCommand());
  program.addCommand(tenantCommand());
  program.addCommand(tokenCommand());
  program.addCommand(new Command('tls').description('TLS certificates').addCommand(tlsReportCommand()));
  program.addCommand(versionCommand());
  return program;
}

/** Runs the CLI; AppErrors become one line on stderr and their exit code (2 for bad configuration). */
export async function run(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (isAppError(error)) {
      process.stderr.write(`trellis: ${error.message}\n`);
      process.exit(exitCodeFor(error.code));
    }
    process.stderr.write(`trellis: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  }
}

if (import.meta.main) await run(process.argv);
