/** Publishes channel events to EventBridge, validated against their schema, failing loudly on any failed entry. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type * as z from 'zod';
import type { DetailInput, EventDefinition } from '../../events/define-event';
import { requiredEnv } from './config';
import { sdkClientConfig } from './sdk-config';

const eventBridge = new EventBridgeClient(sdkClientConfig);

export class EventPublishError extends Error {
  override name = 'EventPublishError';
}

export interface PendingEvent {
  definition: EventDefinition;
  detail: Record<string, unknown>;
}

/** Pairs a definition with its detail so a batch stays type-checked. */
export function channelEvent<E extends EventDefinition<string, z.ZodType>>(
  definition: E,
  detail: DetailInput<E>,
): PendingEvent {
  return { definition, detail: detail as Record<string, unknown> };
}

export function createEventPublisher(busName = requiredEnv('EVENT_BUS_NAME')) {
  return async function publish(...events: PendingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const entries = events.map(({ definition, detail }) => {
      const full = definition.schema.parse({ ...detail, version: definition.version });
      return {
        EventBusName: busName,
        Source: definition.source,
        DetailType: definition.detailType,
        Detail: JSON.stringify(full),
      };
    });
    // PutEvents takes at most 10 entries per call.
    for (let i = 0; i < entries.length; i += 10) {
      const result = await eventBridge.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
      if ((result.FailedEntryCount ?? 0) > 0) {
        const failed = (result.Entries ?? [])
          .filter((e) => e.ErrorCode)
          .map((e) => `${e.ErrorCode}: ${e.ErrorMessage}`);
        throw new EventPublishError(`${result.FailedEntryCount} event(s) not published: ${failed.join('; ')}`);
      }
    }
  };
}

export type PublishEvents = ReturnType<typeof createEventPublisher>;
