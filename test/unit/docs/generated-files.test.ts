/** Generated files stay generated: the README's workflow picture and the events' JSON Schemas match their sources. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventJsonSchemas } from '../../../events/generate-schemas';
import { readmeWithDiagram } from '../../../workflows/diagram';

const root = join(import.meta.dirname, '../../..');

describe('generated files', () => {
  it('README.md shows the order-routing workflow as rendered (npm run diagram)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('```mermaid\nflowchart TD');
    expect(readmeWithDiagram(readme)).toBe(readme);
  });

  it('events/schemas/*.json equal the JSON Schemas generated from the zod schemas (npm run events:schemas)', () => {
    for (const [name, text] of eventJsonSchemas()) {
      expect(readFileSync(join(root, 'events/schemas', name), 'utf8'), name).toBe(text);
    }
  });
});
