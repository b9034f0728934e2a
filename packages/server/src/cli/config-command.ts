/**
 * `xinbox config`: the effective settings after XINBOX_CONFIG, XINBOX_* and
 * validation, as JSON, with secrets redacted, so an operator sees exactly
 * what a node would run with (and every validation problem, if any).
 */
import { configFromEnv, type XinboxConfig } from '../config.js';
import { redactUrl } from '../startup-error.js';
import { explainStartError } from './explain-error.js';

export function redactedConfig(config: XinboxConfig): Record<string, unknown> {
  return {
    ...config,
    tokenSecret: config.tokenSecret ? '***' : '',
    postgresUrl: redactUrl(config.postgresUrl),
    redisUrl: redactUrl(config.redisUrl),
  };
}

export function runConfig(): void {
  try {
    console.log(JSON.stringify(redactedConfig(configFromEnv()), null, 2));
  } catch (e) {
    console.error(explainStartError(e));
    process.exit(2);
  }
}
