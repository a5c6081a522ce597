import { fetch } from 'undici';
import type { SandboxContext } from '../context.ts';
import { botRuntime } from './runtime.ts';
import type { BotRegistration, DeliveryResult } from './state.ts';
import { BOT_FRAMEWORK_ISSUER } from './world.ts';

/** Teams gives an invoke about 5 s before it shows "Unable to reach the app". */
export const INVOKE_TIMEOUT_MS = 5_000;
/** Messages get longer; Bot Framework gives up on a silent endpoint after about 15 s. */
export const MESSAGE_TIMEOUT_MS = 15_000;
/** Inbound tokens live for minutes, like Bot Framework's. */
const TOKEN_LIFETIME_SECONDS = 300;

/**
 * Signs the JWT the Connector puts on each request to a bot: issuer Bot Framework, audience the bot's
 * app id, and the `serviceurl` claim that binds it to the activity's `serviceUrl`.
 */
export async function mintActivityToken(
  ctx: SandboxContext,
  appId: string,
  serviceUrl: string,
  options: { expiresInSeconds?: number } = {},
): Promise<string> {
  return ctx.signers.botframework.sign(
    { iss: BOT_FRAMEWORK_ISSUER, aud: appId, serviceurl: serviceUrl },
    { expiresInSeconds: options.expiresInSeconds ?? TOKEN_LIFETIME_SECONDS },
  );
}

/** POSTs an activity to the bot's endpoint with a fresh token and reports how the bot answered. */
export async function deliverActivity(
  ctx: SandboxContext,
  registration: BotRegistration,
  activity: Record<string, unknown>,
  options: { timeoutMs: number },
): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const token = await mintActivityToken(ctx, registration.appId, String(activity.serviceUrl));
  const dispatcher = botRuntime(ctx).dispatcherFor(registration.caCert);
  try {
    const response = await fetch(registration.endpoint, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Microsoft-SkypeBotApi (Microsoft-BotFramework 3.0)',
      },
      body: JSON.stringify(activity),
      signal: AbortSignal.timeout(options.timeoutMs),
      ...(dispatcher ? { dispatcher } : {}),
    });
    const text = await response.text();
    let body: unknown = text.length > 0 ? text : null;
    if (text.length > 0 && (response.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        // A bot that says JSON but sends something else: keep the text for the inspector.
      }
    }
    return {
      endpoint: registration.endpoint,
      status: response.status,
      body,
      elapsedMs: elapsed(),
      error: null,
    };
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    const message =
      (error as Error).name === 'TimeoutError'
        ? `The bot did not answer within ${options.timeoutMs} ms (Teams shows "Unable to reach the app").`
        : `Could not reach the bot at ${registration.endpoint}: ${cause?.message ?? (error as Error).message}`;
    ctx.log.info({ endpoint: registration.endpoint, err: error }, 'bot delivery failed');
    return { endpoint: registration.endpoint, status: 0, body: null, elapsedMs: elapsed(), error: message };
  }
}
