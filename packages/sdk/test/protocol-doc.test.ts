import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closeCodeTable, errorTable, missingTables } from '../../../scripts/gen-protocol-tables.js';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/protocol.md', import.meta.url)), 'utf8');

describe('docs/protocol.md', () => {
  it('contains the current generated tables (frames, errors, close codes, limits)', () => {
    expect(missingTables(doc)).toEqual([]);
  });

  it('the generated tables list every catalog entry', () => {
    expect(errorTable()).toContain('| 1101 | `TOKEN_EXPIRED` | no |');
    expect(closeCodeTable()).toContain('| 4003 | `REPLACED` | `never`');
    expect(missingTables('')).toEqual(['frames', 'errors', 'close codes', 'limits']);
  });
});
