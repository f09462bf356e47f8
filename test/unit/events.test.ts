/** The event modules: CONTRACT.md's detail-types, a shared envelope, and v1 details that stay readable. */
import { describe, expect, it } from 'vitest';
import { channelEvents, EVENT_SOURCE, OrderAllocated, OrderReceived } from '../../events';

describe('channel events', () => {
  it('are exactly the detail-types CONTRACT.md names, all from source export-channel', () => {
    expect(channelEvents.map((e) => e.detailType).sort()).toEqual(
      [
        'OrderReceived',
        'OrderRejected',
        'OrderHeld',
        'OrderAllocated',
        'OrderUnfilled',
        'OrderConfirmed',
        'OrderCancelled',
        'AllocationNotified',
        'AllocationAccepted',
        'AllocationDeclined',
      ].sort(),
    );
    for (const event of channelEvents) expect(event.source).toBe(EVENT_SOURCE);
  });

  it('every detail carries orderId, occurredAt and its schema version', () => {
    for (const event of channelEvents) {
      const result = event.schema.safeParse({});
      expect(result.success).toBe(false);
      const missing = result.error?.issues.map((i) => i.path[0]);
      expect(missing).toEqual(expect.arrayContaining(['orderId', 'occurredAt', 'version']));
    }
  });

  it('a v1 detail published today still parses (backward compatibility of v1)', () => {
    const stored = {
      orderId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
      occurredAt: '2026-11-29T12:00:00.000Z',
      version: 1,
      destinationCountry: 'DE',
      lineCount: 1,
      totalKg: 500,
    };
    expect(OrderReceived.schema.parse(stored)).toEqual(stored);
    expect(
      OrderAllocated.schema.safeParse({
        ...stored,
        allocations: [{ allocationId: 'a', factoryId: 'f', lineIndex: 0, quantityKg: 5 }],
      }).success,
    ).toBe(true);
    expect(OrderReceived.schema.safeParse({ ...stored, version: 2 }).success).toBe(false);
  });
});
