/**
 * The README's SDK example, extracted verbatim from README.md and run the way
 * a reader would: a .mjs file under plain `node` (no tsx, no source
 * condition), importing the compiled @xinbox/sdk, against a freshly started
 * compiled server. It must create what it needs, print, and exit on its own —
 * twice against the same server, since a reader runs it more than once.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnNode, type ProcessNode } from '../../server/test/support/process-node.js';

const REPO = resolve(import.meta.dirname, '../../..');

/** The first ```js block after the "SDK in thirty lines" heading. */
export function readmeExample(readme: string): string {
  const section = readme.indexOf('## SDK in thirty lines');
  if (section < 0) throw new Error('README has no "SDK in thirty lines" section');
  const m = /```js\n([\s\S]*?)\n```/.exec(readme.slice(section));
  if (!m) throw new Error('the README SDK section has no ```js block');
  return m[1]!;
}

describe('README SDK example', () => {
  let node: ProcessNode;
  const dataDir = mkdtempSync(join(tmpdir(), 'xinbox-readme-data-'));
  // A consumer's project: the example file plus node_modules with @xinbox/sdk in it.
  const project = mkdtempSync(join(tmpdir(), 'xinbox-readme-app-'));
  beforeAll(async () => {
    node = await spawnNode({ XINBOX_DATA_DIR: dataDir, XINBOX_TCP_PORT: '-1' });
    symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'));
    writeFileSync(join(project, 'hello.mjs'), readmeExample(readFileSync(join(REPO, 'README.md'), 'utf8')));
  });
  afterAll(async () => {
    await node?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  const run = () =>
    promisify(execFile)(process.execPath, ['hello.mjs', node.httpUrl], {
      cwd: project,
      env: { PATH: process.env.PATH },
      timeout: 30_000,
    });

  it('runs as written with plain node, prints, and exits', async () => {
    const { stdout, stderr } = await run();
    expect(stderr).toBe('');
    expect(stdout).toContain('alice: stored as seq 1');
    expect(stdout).toContain('bob: got seq 1 你好 👋 - unread 1');
    expect(stdout).toContain('bob: history has 1 message(s)');
  });

  it('runs again against the same server (fresh names)', async () => {
    await new Promise((r) => setTimeout(r, 5)); // the names are time-based
    const { stdout } = await run();
    expect(stdout).toContain('bob: got seq 1 你好 👋');
  });
});
