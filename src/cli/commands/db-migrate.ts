import { Command } from 'commander';
import { openDatabase } from '../../db/index.ts';
import { loadCliConfig } from '../load-cli-config.ts';

export function dbMigrateCommand(): Command {
  return new Command('migrate')
    .description('Apply pending database migrations (safe to run again)')
    .action(async () => {
      const config = loadCliConfig();
      const db = await openDatabase({
        url: config.database.url,
        appUrl: config.database.appUrl,
        dataDir: config.dataDir,
      });
      try {
        const report = await db.migrate();
        if (report.applied.length === 0)
          process.stdout.write(`Database is up to date (${report.alreadyApplied} migrations applied).\n`);
        else
          process.stdout.write(
            `Applied ${report.applied.length} migration(s): ${report.applied.join(', ')}\n`,
          );
      } finally {
        await db.close();
      }
    });
}
