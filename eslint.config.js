import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layering of docs/architecture.md ("Layers and dependencies"), enforced:
 * each entry forbids imports a directory may not make. Proven by
 * packages/server/test/layering.test.ts, which lints offending imports.
 */
const layer = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
const drivers = { group: ['better-sqlite3', 'postgres', 'pg', 'ioredis', 'redis', 'ws', 'node:net', 'node:http', 'node:worker_threads'], message: 'core/ imports no driver: put it behind a port in core/ports and implement it in adapters/.' };
const outOfCore = { regex: '(^|/)(gateway|adapters|router|api|access|platform)(/|$)|(^|/)(node|storage|cli|cluster-cli)\\.js$', message: 'core/ imports nothing outside core (and protocol): define a port in core/ports instead.' };
const layering = [
  layer(['packages/server/src/core/**/*.ts'], [outOfCore, drivers]),
  layer(['packages/server/src/adapters/**/*.ts'], [{ regex: '(^|/)(gateway|router|api|access)(/|$)', message: 'adapters/ implement core ports: they import core and their driver only.' }]),
  layer(['packages/server/src/router/**/*.ts'], [
    { regex: '(^|/)gateway/(?!ports\\.js$)', message: 'router/ talks to the gateway through gateway/ports.ts only.' },
    { regex: '(^|/)(adapters|api)(/|$)', message: 'router/ uses core ports, not adapters or the HTTP API.' },
  ]),
  layer(['packages/server/src/gateway/**/*.ts'], [{ regex: '(^|/)(adapters|router|api|access)(/|$)', message: 'gateway/ imports core and protocol; router and adapters are wired in node.ts.' }]),
  layer(['packages/server/src/api/**/*.ts'], [{ regex: '(^|/)(gateway|adapters|router)(/|$)', message: 'api/ imports core only.' }]),
  layer(['packages/server/src/platform/**/*.ts'], [{ regex: '(^|/)(gateway|adapters|router|api|access)(/|$)', message: 'platform/ builds on core and its ports; adapters are wired in node.ts.' }]),
  layer(['packages/protocol/src/**/*.ts'], [{ regex: '^(?!@bufbuild/protobuf(/|$)|\\.{1,2}/)', message: 'protocol imports @bufbuild/protobuf only (no I/O).' }]),
];

/** Tests never skip (team rule): a missing service or browser fails with its reason (test/support requireServices). */
const noSkippedTests = {
  files: ['packages/*/test/**/*.ts', 'bench/test/**/*.ts'],
  rules: {
    'no-restricted-syntax': ['error', {
      selector: "MemberExpression[property.name=/^(skip|skipIf|runIf|todo|only)$/]",
      message: 'Tests never skip: fail with the reason instead (requireServices in test/support/services.ts).',
    }],
  },
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/gen/**', 'data/**', 'bench/results/**', 'test-artifacts/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly', URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly', fetch: 'readonly', window: 'readonly', document: 'readonly', localStorage: 'readonly', WebSocket: 'readonly', crypto: 'readonly', AbortController: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...layering,
  noSkippedTests,
);
