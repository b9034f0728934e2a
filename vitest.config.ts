import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run against the packages' TypeScript sources ("@xinbox/source" export
// condition), so no build is needed first; the compiled dist/ (built once per run by
// scripts/vitest-build.ts) is exercised by the tests that spawn `node` on it.
// Without vite's "module" condition: packages such as @aws-sdk/* list "module"
// (an ESM build with extension-less imports that only bundlers load) before
// "node", and an externalised dependency is loaded by Node itself.
const conditions = ['@xinbox/source', ...defaultServerConditions.filter((c) => c !== 'module')];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@xinbox/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    globalSetup: ['./scripts/vitest-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: run files two at a time so socket-heavy suites do not starve each other.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
