import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * Proof that the layering rule in eslint.config.js fails on the imports
 * docs/architecture.md forbids (and lets the allowed ones through): each case
 * lints one import line as if it were a file in that directory.
 */
const root = resolve(import.meta.dirname, '../../../..');
const eslint = new ESLint({ cwd: root });

async function layeringErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${source}';\nexport const y = x;\n`, { filePath: resolve(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const forbidden: Array<[string, string]> = [
  ['packages/server/src/core/rooms/example.ts', '../../gateway/connection.js'],
  ['packages/server/src/core/rooms/example.ts', '../../gateway/handlers/types.js'],
  ['packages/server/src/core/example.ts', '../adapters/sqlite/index.js'],
  ['packages/server/src/core/messaging/example.ts', '../../router/envelope.js'],
  ['packages/server/src/core/messaging/example.ts', '../../api/http-api.js'],
  ['packages/server/src/core/messaging/example.ts', 'better-sqlite3'],
  ['packages/server/src/core/messaging/example.ts', 'ioredis'],
  ['packages/server/src/core/messaging/example.ts', 'ws'],
  ['packages/server/src/adapters/sqlite/example.ts', '../../gateway/local-sessions.js'],
  ['packages/server/src/adapters/redis/example.ts', '../../router/envelope.js'],
  ['packages/server/src/router/example.ts', '../gateway/gateway.js'],
  ['packages/server/src/router/example.ts', '../gateway/room-fanout.js'],
  ['packages/server/src/router/example.ts', '../adapters/memory/index.js'],
  ['packages/server/src/gateway/example.ts', '../router/cluster-link.js'],
  ['packages/server/src/gateway/handlers/example.ts', '../../adapters/sqlite/index.js'],
  ['packages/server/src/api/example.ts', '../gateway/gateway.js'],
  ['packages/protocol/src/example.ts', 'node:fs'],
];

const allowed: Array<[string, string]> = [
  ['packages/server/src/core/rooms/example.ts', '../ports/room-store.js'],
  ['packages/server/src/core/rooms/example.ts', '@xinbox/protocol'],
  ['packages/server/src/adapters/sqlite/example.ts', '../../core/ports/index.js'],
  ['packages/server/src/adapters/sqlite/example.ts', 'better-sqlite3'],
  ['packages/server/src/router/example.ts', '../gateway/ports.js'],
  ['packages/server/src/router/example.ts', '../core/ports/bus.js'],
  ['packages/server/src/gateway/example.ts', '../core/messaging/messaging-service.js'],
  ['packages/protocol/src/example.ts', '@bufbuild/protobuf/wire'],
  ['packages/protocol/src/example.ts', './varint.js'],
];

describe('layering lint rule (docs/architecture.md)', () => {
  it.each(forbidden)('%s may not import %s', async (file, source) => {
    expect(await layeringErrors(file, source)).toHaveLength(1);
  });

  it.each(allowed)('%s may import %s', async (file, source) => {
    expect(await layeringErrors(file, source)).toEqual([]);
  });
});

describe('layering lint rule, type-only imports', () => {
  it('counts `import type` from the gateway in core as a violation', async () => {
    const [result] = await eslint.lintText("import type { Connection } from '../../gateway/connection.js';\nexport type C = Connection;\n", {
      filePath: resolve(root, 'packages/server/src/core/rooms/example.ts'),
    });
    expect(result!.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });
});

describe('no-skip lint rule (tests never skip)', () => {
  it.each([
    "describe.skipIf(true)('x', () => undefined);",
    "it.skip('x', () => undefined);",
    "it('x', (ctx) => ctx.skip());",
    "describe.runIf(false)('x', () => undefined);",
  ])('fails on %s', async (source) => {
    const [result] = await eslint.lintText(`import { describe, it } from 'vitest';\n${source}\n`, { filePath: resolve(root, 'packages/server/test/example.test.ts') });
    expect(result!.messages.map((m) => m.ruleId)).toContain('no-restricted-syntax');
  });
});
