import type { GraphCall } from '../../http/route.ts';

/** Planner's PATCH answer: 204, or 200 with the object under `Prefer: return=representation`. */
export function plannerReply(
  call: GraphCall,
  shape: Record<string, unknown>,
  context: string,
): Record<string, unknown> | undefined {
  const prefer = call.request.headers.prefer;
  if (typeof prefer === 'string' && /return=representation/i.test(prefer)) {
    call.reply.code(200);
    return { '@odata.context': `${call.base}/$metadata#${context}/$entity`, ...shape };
  }
  call.reply.code(204);
  return undefined;
}
