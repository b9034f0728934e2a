/** `npm run docs:config`: regenerate the configuration table in README.md from the config schema. */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withConfigTable } from './config-docs.js';

const readmePath = resolve(import.meta.dirname, '../../../../README.md');
const before = readFileSync(readmePath, 'utf8');
const after = withConfigTable(before);
if (after === before) console.log('README.md config table is up to date');
else {
  writeFileSync(readmePath, after);
  console.log('README.md config table regenerated');
}
