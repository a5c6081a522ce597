import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { mintActivityToken } from '../../sandbox/botframework/index.ts';
import { issueAccessToken } from '../../sandbox/entra/access-tokens.ts';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { DirectoryUser, TenantState } from '../../sandbox/state/types.ts';
import { AppError, ErrorCode } from '../../src/errors/index.ts';
import {
  type BotTokenValidator,
  createBotTokenValidator,
  createEntraTokenValidator,
  type EntraTokenValidator,
} from '../../src/identity/index.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { seededMember } from '../helpers/directory.ts';

const TEAMS_WEB_CLIENT_ID = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';

/** Asserts that a validation fails with the given error code and failed rule. */
async function rejects(promise: Promise<unknown>, code: ErrorCode, rule: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.details?.rule, rule, error.message);
    return true;
  });
}

describe('Bot Framework token validation (src/identity) against the sandbox', () => {
  let sandbox: TestSandbox;
  let validator: BotTokenValidator;
  let serviceUrl: string;
  const activity = () => ({ serviceUrl, channelId: 'msteams' });

  before(async () => {
    sandbox = await startTestSandbox();
    serviceUrl = `${sandbox.origin}/`;
    validator = createBotTokenValidator({
      openIdMetadataUrl: `${sandbox.origin}/v1/.well-known/openidconfiguration`,
      botAppId: TRELLIS_CLIENT_ID,
      ca: sandbox.caCert,
    });
  });
  after(async () => {
    await validator.close();
    await sandbox.close();
  });

  /** Signs with the sandbox's Bot Framework key, overriding claims. */
  const signed = (claims: Record<string, unknown>, expiresInSeconds = 300) =>
    sandbox.sandbox.ctx.signers.botframework.sign(
      { iss: 'https://api.botframework.com', aud: TRELLIS_CLIENT_ID, serviceurl: serviceUrl, ...claims },
      { expiresInSeconds },
    );

  test('a token minted by the sandbox for an activity passes, bound to its serviceUrl', async () => {
    const token = await mintActivityToken(sandbox.sandbox.ctx, TRELLIS_CLIENT_ID, serviceUrl);
    const caller = await validator.validate(`Bearer ${token}`, activity());
    assert.equal(caller.appId, TRELLIS_CLIENT_ID);
    assert.equal(caller.serviceUrl, serviceUrl);
    assert.equal(caller.claims.iss, 'https://api.botframework.com');
    // Case and the trailing slash do not matter, as in the Teams SDK.
    await validator.validate(`Bearer ${token}`, {
      serviceUrl: serviceUrl.toUpperCase().slice(0, -1),
      channelId: 'msteams',
    });
  });

  test('rule 1: anything but the Bearer scheme is refused', async () => {
    const token = await signed({});
    await rejects(validator.validate(`Basic ${token}`, activity()), ErrorCode.Unauthorized, 'bearer-scheme');
    await rejects(validator.validate(undefined, activity()), ErrorCode.Unauthorized, 'bearer-scheme');
  });

  test('rule 2: a malformed JWT is refused', async () => {
    await rejects(validator.validate('Bearer not.a-jwt', activity()), ErrorCode.Unauthorized, 'well-formed');
  });

  test('rule 3: a wrong issuer is refused', async () => {
    const token = await signed({ iss: 'https://sts.windows.net/evil/' });
    await rejects(validator.validate(`Bearer ${token}`, activity()), ErrorCode.Unauthorized, 'issuer');
  });

  test('rule 4: a token for another bot is refused', async () => {
    const token = await signed({ aud: '11111111-2222-3333-4444-555555555555' });
    await rejects(validator.validate(`Bearer ${token}`, activity()), ErrorCode.Unauthorized, 'audience');
  });

  test('rule 5: expired beyond the 300 s skew is refused; within it passes', async () => {
    const stale = await signed({}, -400);
    await rejects(validator.validate(`Bearer ${stale}`, activity()), ErrorCode.Unauthorized, 'lifetime');
    const late = await signed({}, -200);
    await validator.validate(`Bearer ${late}`, activity());
  });

  test('rule 6: a signature by another key is refused, whether or not it claims the published kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const kid = sandbox.sandbox.ctx.signers.botframework.kid;
    for (const header of [
      { alg: 'RS256', kid },
      { alg: 'RS256', kid: 'unknown-key' },
    ]) {
      const forged = await new SignJWT({ serviceurl: serviceUrl })
        .setProtectedHeader(header)
        .setIssuer('https://api.botframework.com')
        .setAudience(TRELLIS_CLIENT_ID)
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime('5m')
        .sign(privateKey);
      await rejects(validator.validate(`Bearer ${forged}`, activity()), ErrorCode.Unauthorized, 'signature');
    }
  });

  test('rule 7: a serviceurl claim other than the activity serviceUrl is refused', async () => {
    const token = await signed({ serviceurl: 'https://smba.trafficmanager.net/amer/' });
    await rejects(validator.validate(`Bearer ${token}`, activity()), ErrorCode.Unauthorized, 'service-url');
    const unbound = await signed({ serviceurl: undefined });
    await rejects(validator.validate(`Bearer ${unbound}`, activity()), ErrorCode.Unauthorized, 'service-url');
  });

  test('a key not endorsed for the activity channel is forbidden', async () => {
    const token = await signed({});
    await rejects(
      validator.validate(`Bearer ${token}`, { serviceUrl, channelId: 'webchat' }),
      ErrorCode.Forbidden,
      'endorsement',
    );
  });
});

describe('Entra v2 access token validation (src/identity) against the sandbox', () => {
  let sandbox: TestSandbox;
  let validator: EntraTokenValidator;
  let tenant: TenantState;
  let user: DirectoryUser;
  const appIdUri = `api://localhost/${TRELLIS_CLIENT_ID}`;

  before(async () => {
    sandbox = await startTestSandbox();
    const contoso = sandbox.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID);
    assert.ok(contoso, 'the Contoso tenant is seeded');
    tenant = contoso;
    user = seededMember(tenant);
    validator = createEntraTokenValidator({
      authority: sandbox.origin,
      clientId: TRELLIS_CLIENT_ID,
      appIdUri,
      allowedTenants: [CONTOSO_TENANT_ID],
      ca: sandbox.caCert,
    });
  });
  after(async () => {
    await validator.close();
    await sandbox.close();
  });

  const sso = (overrides: Partial<Parameters<typeof issueAccessToken>[1]> = {}) =>
    issueAccessToken(sandbox.sandbox.ctx, {
      tenant,
      clientId: TEAMS_WEB_CLIENT_ID,
      audience: TRELLIS_CLIENT_ID,
      scopes: ['access_as_user'],
      userId: user.id,
      ...overrides,
    }).then((t) => `Bearer ${t.token}`);

  test('an SSO token for Trellis (client id or App ID URI audience) passes', async () => {
    const identity = await validator.validate(await sso());
    assert.equal(identity.tenantId, CONTOSO_TENANT_ID);
    assert.equal(identity.objectId, user.id);
    assert.deepEqual(identity.scopes, ['access_as_user']);
    const byUri = await validator.validate(await sso({ audience: appIdUri }));
    assert.equal(byUri.objectId, user.id);
  });

  test('a token from a tenant outside the allow-list is forbidden, before any key is fetched', async () => {
    const fabrikam = { ...tenant, id: '9e1c2f3a-0000-4000-8000-00000000fab1' };
    await rejects(validator.validate(await sso({ tenant: fabrikam })), ErrorCode.Forbidden, 'tenant');
  });

  test('a token without access_as_user is forbidden', async () => {
    await rejects(validator.validate(await sso({ scopes: ['User.Read'] })), ErrorCode.Forbidden, 'scope');
  });

  test('a token for another audience (Graph) is refused', async () => {
    await rejects(
      validator.validate(await sso({ audience: 'https://graph.microsoft.com' })),
      ErrorCode.Unauthorized,
      'audience',
    );
  });

  test('an expired token is refused', async () => {
    await rejects(
      validator.validate(await sso({ expiresInSeconds: -400 })),
      ErrorCode.Unauthorized,
      'lifetime',
    );
  });

  test('a token signed by another key (the Bot Framework one) is refused', async () => {
    const ctx = sandbox.sandbox.ctx;
    const forged = await ctx.signers.botframework.sign(
      {
        iss: `${sandbox.origin}/${CONTOSO_TENANT_ID}/v2.0`,
        aud: TRELLIS_CLIENT_ID,
        tid: CONTOSO_TENANT_ID,
        oid: user.id,
        scp: 'access_as_user',
      },
      { expiresInSeconds: 300 },
    );
    await rejects(validator.validate(`Bearer ${forged}`), ErrorCode.Unauthorized, 'signature');
  });

  test('the Bearer scheme and a tenant id are required', async () => {
    await rejects(validator.validate('Token abc'), ErrorCode.Unauthorized, 'bearer-scheme');
    const noTenant = await sandbox.sandbox.ctx.signers.entra.sign(
      { aud: TRELLIS_CLIENT_ID },
      { expiresInSeconds: 60 },
    );
    await rejects(validator.validate(`Bearer ${noTenant}`), ErrorCode.Unauthorized, 'tenant');
  });
});
