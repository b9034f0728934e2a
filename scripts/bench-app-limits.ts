/**
 * Micro-benchmark of the per-request limit check (ADR 0013 step 5), A/B in
 * one process over the real single-node rate limiter:
 *  - before: RequestLimits without per-app limits (the config's rules);
 *  - after, no overrides: with an AppLimitResolver while no app overrides a
 *    limit (the answer is synchronous, no app lookup) — every deployment
 *    that does not use per-app limits;
 *  - after, overrides: some app overrides a limit, so each check looks up the
 *    user's app (AppOfUser, then the AppDirectory's cache).
 *
 *   node --conditions=@xinbox/source --import tsx scripts/bench-app-limits.ts [iterations]
 */
import { MemoryAppStore } from '../packages/server/src/adapters/memory/memory-app-store.js';
import { MemoryRateLimiter } from '../packages/server/src/adapters/memory/memory-rate-limiter.js';
import { buildConfig } from '../packages/server/src/config.js';
import { AppLimitResolver } from '../packages/server/src/core/apps/app-limits.js';
import { RequestLimits, type RequestLimitRules } from '../packages/server/src/gateway/request-limits.js';
import { createLogger } from '../packages/server/src/logger.js';
import { createAppDirectory } from '../packages/server/src/platform/apps/create-app-directory.js';

const config = buildConfig({ limitSendPerUser: 1_000_000, limitBurstSeconds: 1, logLevel: 'silent' });
const rules: RequestLimitRules = { send: { user: { perSec: 1e6, burst: 1e6 }, ip: null }, read: { user: null, ip: null }, create: { user: null, ip: null } };
const log = createLogger('silent');

async function variant(overrides: boolean | null): Promise<RequestLimits> {
  const limiter = new MemoryRateLimiter();
  if (overrides === null) return new RequestLimits(limiter, rules);
  const apps = createAppDirectory(config, new MemoryAppStore());
  await apps.create('other', 'Other');
  if (overrides) await apps.update('other', { limits: { limitSendPerUser: 500_000 } });
  const resolver = new AppLimitResolver(apps, async () => 'default', config, log, 3_600_000);
  await resolver.start();
  resolver.stop();
  return new RequestLimits(limiter, rules, Date.now, { forUser: (u) => resolver.forUser(u), burstSeconds: 1 });
}

async function nsPerOp(limits: RequestLimits, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await limits.check('send', 1 + (i % 1000), '');
  return Number(process.hrtime.bigint() - t0) / n;
}

const n = Number(process.argv[2] ?? 200_000);
const [before, plain, overridden] = await Promise.all([variant(null), variant(false), variant(true)]);
for (const v of [before, plain, overridden]) await nsPerOp(v, n / 5);
const runs: number[][] = [[], [], []];
for (let round = 0; round < 7; round++) {
  runs[0]!.push(await nsPerOp(before, n));
  runs[1]!.push(await nsPerOp(plain, n));
  runs[2]!.push(await nsPerOp(overridden, n));
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const show = (label: string, xs: number[]) => `  ${label} ${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
console.log(`RequestLimits.check('send'), ${n} ops x 7 rounds alternating (median ns/op; min-max):`);
console.log(show('before (config rules only):          ', runs[0]!));
console.log(show('after, no app overrides a limit:     ', runs[1]!));
console.log(show('after, an app overrides (app lookup):', runs[2]!));
console.log(`  ratios: no overrides/before ${(median(runs[1]!) / median(runs[0]!)).toFixed(2)}, overrides/before ${(median(runs[2]!) / median(runs[0]!)).toFixed(2)}`);
