import { startXinbox, type XinboxNode } from '../../src/index.js';
import { TEST_ADMIN_TOKEN } from './admin.js';
import { tempDir } from './temp-dir.js';

/** An in-process node on SQLite in a temp dir, on free ports, quiet; request rate limits off (tests provision in bulk from one address) unless overridden. */
export async function startTestNode(overrides: Record<string, unknown> = {}): Promise<XinboxNode & { dataDir: string; cleanup(): Promise<void> }> {
  const dir = tempDir();
  const storage = process.env.XINBOX_TEST_STORAGE ?? 'sqlite';
  const node = await startXinbox({ host: '127.0.0.1', port: 0, tcpPort: 0, dataDir: dir.path, logLevel: 'error', storage, scryptCost: 4, adminToken: TEST_ADMIN_TOKEN, rateLimits: false, ...overrides });
  return Object.assign(node, {
    dataDir: dir.path,
    cleanup: async () => {
      await node.stop();
      dir.remove();
    },
  });
}
