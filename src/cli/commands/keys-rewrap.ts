import { Command } from 'commander';
import { openServices } from '../../runtime/index.ts';
import { loadCliConfig } from '../load-cli-config.ts';

export function keysRewrapCommand(): Command {
  return new Command('rewrap')
    .description('Re-wrap every data key with the current key-encryption key version (ciphertexts untouched)')
    .action(async () => {
      const services = await openServices(loadCliConfig(), { migrate: true });
      try {
        const current = await services.keys.currentKeyId();
        const count = await services.secrets.rewrapAll();
        process.stdout.write(`Re-wrapped ${count} secret(s) onto ${current}.\n`);
      } finally {
        await services.close();
      }
    });
}
