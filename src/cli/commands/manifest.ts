import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { errors } from '../../errors/index.ts';
import { buildAppPackage } from '../../teams/manifest/index.ts';
import { loadCliConfig } from '../load-cli-config.ts';

/**
 * `trellis manifest`: builds the Teams app package (validated against the bundled schema) and
 * writes the zip; `--print` also writes the manifest JSON to stdout (the summary then goes to stderr).
 */
export function manifestCommand(): Command {
  return new Command('manifest')
    .description('Write the Teams app package (manifest.json, color.png, outline.png) to upload to Teams')
    .requiredOption('--out <file.zip>', 'where to write the package')
    .option('--print', 'also print manifest.json to stdout')
    .action(async (options: { out: string; print?: boolean }) => {
      const config = loadCliConfig();
      const { manifest, zip } = await buildAppPackage(config);
      const out = path.resolve(options.out);
      try {
        await writeFile(out, zip);
      } catch (error) {
        throw errors.validation(`--out: cannot write ${out}: ${(error as Error).message}`);
      }
      const summary = `Wrote ${out} (${zip.byteLength} bytes): Teams app ${manifest.id} v${manifest.version}, manifest schema ${manifest.manifestVersion}\n`;
      if (options.print) {
        process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
        process.stderr.write(summary);
      } else {
        process.stdout.write(summary);
      }
    });
}
