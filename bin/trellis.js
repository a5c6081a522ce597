#!/usr/bin/env node
// The `trellis` command. The repository pins Node.js 24 (the `node` package in node_modules);
// when launched by an older system Node, re-run on the pinned runtime, forwarding signals.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'index.ts');
const major = Number(process.versions.node.split('.')[0]);

if (major >= 24) {
  const { run } = await import(cli);
  await run(process.argv);
} else {
  let pinned;
  try {
    pinned = path.join(
      path.dirname(createRequire(import.meta.url).resolve('node/package.json')),
      'bin',
      'node',
    );
  } catch {
    process.stderr.write(
      `trellis needs Node.js 24 (found ${process.version}); run "npm ci" to install the pinned runtime\n`,
    );
    process.exit(1);
  }
  const child = spawn(pinned, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
