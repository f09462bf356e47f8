/** Writes events/schemas/<DetailType>.v<version>.json from the zod schemas; never edit those files by hand. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { channelEvents } from './index';

export function eventJsonSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const event of channelEvents) {
    const schema = z.toJSONSchema(event.schema, { target: 'draft-2020-12' });
    const document = {
      $id: `export-channel/${event.detailType}/v${event.version}`,
      title: event.detailType,
      ...schema,
    };
    files.set(`${event.detailType}.v${event.version}.json`, `${JSON.stringify(document, null, 2)}\n`);
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = join(import.meta.dirname, 'schemas');
  for (const [name, text] of eventJsonSchemas()) writeFileSync(join(dir, name), text);
  console.log(`wrote ${channelEvents.length} event schemas to ${dir}`);
}
