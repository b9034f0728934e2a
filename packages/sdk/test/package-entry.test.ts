/**
 * The published shape of @xinbox/sdk: plain Node resolves it to compiled
 * dist/ (with declarations next to it), from ESM and from CommonJS, without
 * tsx or the "@xinbox/source" development condition.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../../..');
const project = mkdtempSync(join(tmpdir(), 'xinbox-sdk-consumer-'));
symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

const node = async (file: string, source: string) => {
  writeFileSync(join(project, file), source);
  const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: project, env: { PATH: process.env.PATH } });
  return stdout.trim();
};

describe('@xinbox/sdk as a package', () => {
  it('imports from plain Node ESM, resolving to dist/', async () => {
    const out = await node('esm.mjs', `
      import { XinboxClient, MemoryCursorStore } from '@xinbox/sdk';
      console.log(typeof XinboxClient, typeof MemoryCursorStore, import.meta.resolve('@xinbox/sdk'));
    `);
    expect(out).toMatch(/^function function file:.*\/packages\/sdk\/dist\/index\.js$/);
  });

  it('requires from CommonJS', async () => {
    const out = await node('cjs.cjs', `
      const { XinboxClient } = require('@xinbox/sdk');
      console.log(typeof XinboxClient, require.resolve('@xinbox/sdk'));
    `);
    expect(out).toMatch(/^function .*\/packages\/sdk\/dist\/index\.js$/);
  });

  it('ships declarations for every package entry', () => {
    for (const pkg of ['protocol', 'sdk', 'server']) {
      expect(existsSync(join(REPO, 'packages', pkg, 'dist/index.d.ts')), pkg).toBe(true);
    }
  });
});
