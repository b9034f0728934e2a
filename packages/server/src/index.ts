export { startXinbox, type XinboxNode } from './node.js';
export { buildConfig, configFromEnv, defaults, type XinboxConfig } from './config.js';
