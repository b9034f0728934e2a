// The launcher lives in src/devtools (npm run cluster uses it too).
export * from '../../src/devtools/local-services.js';
