import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, test } from 'node:test';
import { Agent, fetch } from 'undici';

const root = path.resolve(import.meta.dirname, '..', '..');
const dataDir = await mkdtemp(path.join(tmpdir(), 'trellis-shutdown-'));
after(() => rm(dataDir, { recursive: true, force: true }));

/** Runs `node src/main.ts` as `npm start` does, and resolves once it logs that it listens. */
async function startProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const child = spawn(process.execPath, [path.join(root, 'src', 'main.ts')], {
    env: { PATH: process.env.PATH, PORT: '0', SANDBOX_PORT: '0', DATA_DIR: dataDir, ENV_FILE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d) => {
    out += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: a busy two-core runner can be slow; the start-up time itself is measured in bench/.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start within 90 s:\n${out}`));
    }, 90_000);
    const poll = setInterval(() => {
      const m = /"url":"(https:\/\/localhost:\d+)".*"msg":"trellis is listening"/.exec(out);
      if (m?.[1]) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(m[1]);
      }
    }, 50);
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${out}`)));
  });
  return { child, url, stdout: () => out };
}

test('first start: ready; SIGTERM fails readiness at once, lets the in-flight request finish, exits 0', async () => {
  const { child, url, stdout } = await startProcess({ SHUTDOWN_DRAIN_MS: '1500' });
  const ca = await readFile(path.join(dataDir, 'tls', 'ca.pem'), 'utf8');
  const dispatcher = new Agent({ connect: { ca } });
  let sandboxDispatcher: Agent | undefined;
  try {
    // Start-up work can stall the event loop for a moment on a busy machine: load shedding then
    // answers 503 until its next sample. Readiness must turn 200 once the process has settled.
    let ready = await fetch(`${url}/readyz`, { dispatcher });
    for (let i = 0; i < 100 && ready.status === 503; i++) {
      await ready.body?.cancel();
      await new Promise((r) => setTimeout(r, 200));
      ready = await fetch(`${url}/readyz`, { dispatcher });
    }
    assert.equal(ready.status, 200);
    await ready.body?.cancel();
    assert.match(stdout(), /local CA .*ca\.pem/);

    // No tenant configured: the Microsoft 365 sandbox runs beside Trellis, over HTTPS with its own CA.
    const sandboxUrl =
      /Microsoft 365 sandbox \(demo tenant Contoso\): (https:\/\/localhost:\d+)\/sandbox/.exec(stdout())?.[1];
    assert.ok(sandboxUrl, 'the sandbox origin is printed');
    const sandboxCa = await readFile(path.join(dataDir, 'sandbox', 'tls', 'ca.pem'), 'utf8');
    sandboxDispatcher = new Agent({ connect: { ca: sandboxCa } });
    const sandboxAnswer = await fetch(`${sandboxUrl}/sandbox`, { dispatcher: sandboxDispatcher });
    assert.equal(sandboxAnswer.status, 200);
    await sandboxAnswer.body?.cancel();
    // Trellis told the sandbox's Bot Framework where its bot listens, with the CA to trust there.
    const bots = (await (
      await fetch(`${sandboxUrl}/sandbox/api/bots`, { dispatcher: sandboxDispatcher })
    ).json()) as {
      value: { endpoint: string }[];
    };
    assert.ok(
      bots.value.some((b) => b.endpoint === `${url}/api/messages`),
      JSON.stringify(bots),
    );

    // A request in flight: headers sent, body still coming when the signal arrives.
    const port = Number(new URL(url).port);
    const response = new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
        socket.write(
          'POST /api/v1/slow HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"a":',
        );
        setTimeout(() => socket.write('"done"}'), 800);
      });
      let data = '';
      socket.on('data', (d) => {
        data += d.toString();
        if (data.includes('\r\n\r\n') && data.includes('}')) {
          resolve(data);
          socket.end();
        }
      });
      socket.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 200));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));

    const draining = await fetch(`${url}/readyz`, { dispatcher });
    assert.equal(draining.status, 503, 'readiness fails at once on SIGTERM');
    assert.equal(((await draining.json()) as { status: string }).status, 'draining');

    const answered = await response;
    assert.match(answered, /^HTTP\/1\.1 404/, 'the in-flight request got its complete answer');
    assert.equal(await exited, 0);
    assert.match(stdout(), /"clean":true/);
    await assert.rejects(
      fetch(`${sandboxUrl}/sandbox`, { dispatcher: sandboxDispatcher }),
      'the sandbox stopped with Trellis',
    );
  } finally {
    child.kill('SIGKILL');
    await dispatcher.close();
    await sandboxDispatcher?.close();
  }
});

test('a second process on the same embedded database is refused, and SIGINT also exits 0', async () => {
  const first = await startProcess({});
  try {
    const second = spawn(process.execPath, [path.join(root, 'src', 'main.ts')], {
      env: { PATH: process.env.PATH, PORT: '0', SANDBOX_PORT: '0', DATA_DIR: dataDir, ENV_FILE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    second.stderr?.on('data', (d) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    assert.notEqual(code, 0);
    assert.match(err, /in use by process/);
    const exited = new Promise<number | null>((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGINT');
    assert.equal(await exited, 0);
  } finally {
    first.child.kill('SIGKILL');
  }
});
