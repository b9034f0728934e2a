// The launcher lives in src/devtools (npm run cluster uses it too).
export * from '../../src/devtools/local-services.js';
import { missingService, type ServiceKind } from '../../src/devtools/local-services.js';

/**
 * A test file that needs real PostgreSQL or Redis calls this at load time: a
 * service that cannot run here fails the file with the reason. Tests never
 * skip (team rule); `npm test` provisions what is missing (scripts/ci-services.sh).
 */
export function requireServices(...kinds: ServiceKind[]): void {
  for (const kind of kinds) {
    const why = missingService(kind);
    if (why) throw new Error(`${kind} is required by this test but ${why}; install it with scripts/ci-services.sh`);
  }
}
