import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, SignJWT } from 'jose';
import { Agent, fetch } from 'undici';
import { mintActivityToken } from '../../sandbox/botframework/index.ts';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { DirectoryUser, TenantState } from '../../sandbox/state/types.ts';
import { ensureLocalCertificate } from '../../src/server/tls/index.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { seededMember } from '../helpers/directory.ts';
import { sendCardToUser } from '../helpers/connector.ts';

const BOT_ENTRY = fileURLToPath(new URL('./fixtures/teams-sdk-bot.ts', import.meta.url));

/**
 * Conformance: the Teams SDK 2.1's own inbound validation (`cloud` pointed at the sandbox) accepts
 * what the sandbox delivers and refuses forged or mis-bound tokens.
 */
describe('Teams SDK 2.1 inbound validation against the sandbox', () => {
  let sandbox: TestSandbox;
  let tenant: TenantState;
  let user: DirectoryUser;
  let dir: string;
  let child: ChildProcess;
  let output = '';
  let endpoint: string;
  let botDispatcher: Agent;

  before(async () => {
    sandbox = await startTestSandbox();
    const contoso = sandbox.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID);
    assert.ok(contoso, 'the Contoso tenant is seeded');
    tenant = contoso;
    user = seededMember(tenant);
    dir = await mkdtemp(path.join(tmpdir(), 'trellis-sdk-bot-'));
    const tls = await ensureLocalCertificate(path.join(dir, 'tls'), ['localhost', '127.0.0.1'], 'SDK Bot CA');
    botDispatcher = new Agent({ connect: { ca: tls.caCert } });
    // The SDK fetches keys with jwks-rsa, which cannot be given a CA: trust the sandbox's for this
    // process only, through NODE_EXTRA_CA_CERTS (certificate checks stay on).
    child = spawn(process.execPath, [BOT_ENTRY], {
      env: {
        PATH: process.env.PATH,
        NODE_EXTRA_CA_CERTS: sandbox.sandbox.caPath,
        SANDBOX_ORIGIN: sandbox.origin,
        BOT_CLIENT_ID: TRELLIS_CLIENT_ID,
        BOT_CERT_FILE: path.join(dir, 'tls', 'server.pem'),
        BOT_KEY_FILE: path.join(dir, 'tls', 'server-key.pem'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the SDK bot did not start:\n${output}`)), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /READY (\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('exit', (code) => reject(new Error(`the SDK bot exited (${code}):\n${output}`)));
    });
    endpoint = `https://localhost:${port}/api/messages`;
    const registered = await sandbox.fetch(`/sandbox/api/bots/${TRELLIS_CLIENT_ID}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint, caCert: tls.caCert }),
    });
    assert.equal(registered.status, 200);
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await botDispatcher?.close();
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  const act = async (kind: string, body: unknown) => {
    const response = await sandbox.fetch(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/act/${kind}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as { delivery: { status: number; body: unknown; error: string | null } };
  };

  /** POSTs an activity straight to the SDK bot with the given Authorization header. */
  const post = async (activity: Record<string, unknown>, authorization?: string) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      dispatcher: botDispatcher,
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(activity),
    });
    await response.arrayBuffer();
    return response.status;
  };

  test('the SDK accepts a message the sandbox delivers', async () => {
    const result = await act('message', { userId: user.id, text: 'hello SDK' });
    assert.equal(result.delivery.error, null, output);
    assert.equal(result.delivery.status, 200, output);
  });

  test('the SDK routes a card action and its invoke response comes back through act/card-action', async () => {
    const { id, activityId } = await sendCardToUser(sandbox, tenant, user, {
      body: [{ type: 'TextBlock', text: 'Approve?' }],
      actions: [{ type: 'Action.Execute', title: 'Approve', verb: 'approve' }],
    });
    const result = await act('card-action', {
      userId: user.id,
      conversationId: id,
      activityId,
      verb: 'approve',
    });
    assert.equal(result.delivery.status, 200, output);
    assert.deepEqual(result.delivery.body, {
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'SDK handled approve',
    });
  });

  test('the SDK refuses forged, foreign, mis-bound and missing tokens (401)', async () => {
    const ctx = sandbox.sandbox.ctx;
    const serviceUrl = `${sandbox.origin}/`;
    const activity = {
      type: 'message',
      id: '1700000000000',
      channelId: 'msteams',
      serviceUrl,
      text: 'hi',
      from: { id: '29:1abc', aadObjectId: user.id },
      conversation: { id: 'a:1direct', conversationType: 'personal', tenantId: CONTOSO_TENANT_ID },
      recipient: { id: `28:${TRELLIS_CLIENT_ID}` },
      channelData: { tenant: { id: CONTOSO_TENANT_ID } },
    };
    // Sanity: the same activity with a good token is accepted, so each refusal below is the token's.
    const good = await mintActivityToken(ctx, TRELLIS_CLIENT_ID, serviceUrl);
    assert.equal(await post(activity, `Bearer ${good}`), 200, output);

    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ serviceurl: serviceUrl })
      .setProtectedHeader({ alg: 'RS256', kid: ctx.signers.botframework.kid })
      .setIssuer('https://api.botframework.com')
      .setAudience(TRELLIS_CLIENT_ID)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    assert.equal(await post(activity, `Bearer ${forged}`), 401, 'signed by another key');

    const otherBot = await mintActivityToken(ctx, '11111111-2222-3333-4444-555555555555', serviceUrl);
    assert.equal(await post(activity, `Bearer ${otherBot}`), 401, 'for another bot');

    const misbound = await mintActivityToken(ctx, TRELLIS_CLIENT_ID, 'https://smba.trafficmanager.net/amer/');
    assert.equal(await post(activity, `Bearer ${misbound}`), 401, 'serviceurl claim of another service');

    const expired = await mintActivityToken(ctx, TRELLIS_CLIENT_ID, serviceUrl, { expiresInSeconds: -400 });
    assert.equal(await post(activity, `Bearer ${expired}`), 401, 'expired beyond the skew');

    assert.equal(await post(activity), 401, 'no token');
  });
});
