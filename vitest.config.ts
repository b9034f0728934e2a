import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run against the packages' TypeScript sources ("@xinbox/source" export
// condition), so no build is needed first; the compiled dist/ (built once per run by
// scripts/vitest-build.ts) is exercised by the tests that spawn `node` on it.
const conditions = ['@xinbox/source', ...defaultServerConditions];

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
