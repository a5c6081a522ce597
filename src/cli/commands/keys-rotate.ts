import { Command } from 'commander';
import { createKeyProvider } from '../../runtime/index.ts';
import { loadCliConfig } from '../load-cli-config.ts';

export function keysRotateCommand(): Command {
  return new Command('rotate')
    .description('Create a new key-encryption key version; new secrets use it, old ones still decrypt')
    .action(async () => {
      const keys = await createKeyProvider(loadCliConfig());
      const previous = await keys.currentKeyId();
      const next = await keys.rotate();
      process.stdout.write(
        `Rotated ${keys.name} key: ${previous} -> ${next}\nRun "trellis keys rewrap" to re-wrap existing data keys.\n`,
      );
    });
}
