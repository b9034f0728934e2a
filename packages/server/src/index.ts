export { startXinbox, type XinboxNode } from './node.js';
export { buildConfig, configFromEnv, defaults, type XinboxConfig } from './config.js';
/** A webhook receiver's check (customers' Node backends, the bench's receiver): docs/integration.md. */
export { verifyWebhook, TIMESTAMP_HEADER, SIGNATURE_HEADER } from './platform/webhooks/signature.js';
