import type { DeliveryEvent } from './snapshot.ts';

/**
 * What makes two delivery events the same event: one send (`attempt`) of one delivery in one
 * state. A record retried after its write was in doubt carries the same key and is kept once.
 */
export function deliveryEventKey(e: DeliveryEvent): string {
  return `${e.deliveryId}|${e.state ?? e.status}|${e.attempt ?? ''}`;
}
