import type { Redis } from 'ioredis';

/** Whether Redis keeps the queue on disk (CONFIG GET appendonly / save). */
export type Persistence =
  | { readonly kind: 'aof' | 'rdb' | 'aof+rdb'; readonly appendonly: string; readonly save: string }
  | { readonly kind: 'none'; readonly appendonly: string; readonly save: string }
  /** CONFIG is disabled or renamed (managed Redis often does), or Redis did not answer. */
  | { readonly kind: 'unknown'; readonly reason: string };

function configValue(reply: unknown, name: string): string | undefined {
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) if (String(reply[i]) === name) return String(reply[i + 1]);
    return undefined;
  }
  if (reply instanceof Map) return reply.has(name) ? String(reply.get(name)) : undefined;
  if (reply && typeof reply === 'object' && name in reply) return String((reply as Record<string, unknown>)[name]);
  return undefined;
}

export async function checkRedisPersistence(redis: Redis): Promise<Persistence> {
  try {
    const appendonly = configValue(await redis.call('CONFIG', 'GET', 'appendonly'), 'appendonly');
    const save = configValue(await redis.call('CONFIG', 'GET', 'save'), 'save');
    if (appendonly === undefined || save === undefined) return { kind: 'unknown', reason: 'CONFIG GET returned no value' };
    const aof = appendonly === 'yes';
    const rdb = save.trim() !== '';
    return { kind: aof && rdb ? 'aof+rdb' : aof ? 'aof' : rdb ? 'rdb' : 'none', appendonly, save };
  } catch (e) {
    return { kind: 'unknown', reason: (e as Error).message.split('\n')[0]! };
  }
}
