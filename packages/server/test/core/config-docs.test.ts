import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema, envName } from '../../src/config.js';
import { renderConfigTable, withConfigTable } from '../../src/devtools/config-docs.js';

const root = resolve(import.meta.dirname, '../../../..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('config documentation', () => {
  it('README.md carries exactly the table generated from the schema (run `npm run docs:config` after changing a setting)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(withConfigTable(readme)).toBe(readme);
  });

  it('documents every setting, including those once missing from the table', () => {
    const table = renderConfigTable();
    for (const key of Object.keys(configSchema.shape)) expect(table).toContain(`| \`${envName(key)}\` | \`${key}\` |`);
    for (const v of ['XINBOX_PUBLIC_HOST', 'XINBOX_REGION', 'XINBOX_CANARY', 'XINBOX_CANARY_CLIENT_VERSIONS', 'XINBOX_MEMBERSHIP_TTL_MS']) {
      expect(table).toContain(`\`${v}\``);
    }
    expect(table).toContain('| `XINBOX_PORT` | `port` | integer 0–65535 | `8080` |');
  });

  it('nothing but config.ts reads process.env (devtools may read CI/PATH; the cluster CLI only passes it on to its nodes)', () => {
    const offenders: string[] = [];
    for (const pkg of ['server', 'sdk', 'protocol']) {
      for (const file of filesUnder(join(root, 'packages', pkg, 'src'))) {
        const rel = relative(root, file);
        if (rel === 'packages/server/src/config.ts' || rel.startsWith('packages/server/src/devtools/')) continue;
        readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
          if (line.includes('process.env') && !/\.\.\.process\.env,/.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offenders).toEqual([]);
  });
});
