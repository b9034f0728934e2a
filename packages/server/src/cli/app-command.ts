/**
 * `xinbox app ...` (ADR 0013): the deployment's apps, through the running
 * server's admin routes (/v1/admin/apps*), so every node sees the change
 * (and, with a durable AppStore, it outlives the server):
 *
 *   xinbox app create <id> [--name NAME]          prints the app's server API secret, once
 *   xinbox app list                               ids, names, secret digest prefixes, webhooks, limits
 *   xinbox app rotate-secret <id>                 adds a secret (printed once); the old ones keep working
 *   xinbox app retire-secret <id> <digest-prefix> retires the secret whose SHA-256 digest starts so
 */
import { parseArgs } from 'node:util';
import { configFromEnv, ConfigError } from '../config.js';
import { AdminRequestError, adminRequest, adminTarget } from './admin-request.js';

export const APP_USAGE = `usage: xinbox app create <id> [--name NAME]
       xinbox app list
       xinbox app rotate-secret <id>
       xinbox app retire-secret <id> <digest-prefix>`;

interface AppView {
  id: string; name: string; builtIn: boolean; secrets: string[];
  webhook: { url: string; events: string } | null; limits: Record<string, number>;
}
interface Issued { app: AppView; secret: string; digestPrefix: string }

export async function runApp(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { name: { type: 'string' } } });
  } catch (e) {
    fail(`xinbox app: ${(e as Error).message}\n${APP_USAGE}`, 64);
  }
  const p = parsed.positionals;
  const name = parsed.values.name;
  if (action === 'create' && p.length === 1) return run(action, () => create(p[0]!, name));
  if (name !== undefined) fail(`xinbox app ${action ?? ''}: --name goes with create only\n${APP_USAGE}`, 64);
  if (action === 'list' && p.length === 0) return run(action, list);
  if (action === 'rotate-secret' && p.length === 1) return run(action, () => rotate(p[0]!));
  if (action === 'retire-secret' && p.length === 2) return run(action, () => retire(p[0]!, p[1]!));
  fail(APP_USAGE, 64);
}

async function create(id: string, name: string | undefined): Promise<void> {
  const r = await call('POST', '/v1/admin/apps', { id, ...(name ? { name } : {}) }) as Issued;
  console.log(`created app ${r.app.id} (${r.app.name})`);
  console.log(`server API secret: ${r.secret}`);
  console.log(`(shown this once; stored as a digest starting ${r.digestPrefix})`);
}

async function list(): Promise<void> {
  const { apps } = await call('GET', '/v1/admin/apps') as { apps: AppView[] };
  const rows = apps.map((a) => [
    a.id, a.name, a.secrets.join(',') || '-', a.webhook ? `${a.webhook.url} [${a.webhook.events}]` : '-',
    Object.entries(a.limits).map(([k, v]) => `${k}=${v}`).join(',') || '-',
  ]);
  const header = ['ID', 'NAME', 'SECRETS (digest prefixes)', 'WEBHOOK', 'LIMITS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

async function rotate(id: string): Promise<void> {
  const r = await call('POST', `/v1/admin/apps/${encodeURIComponent(id)}/secrets`) as Issued;
  console.log(`new server API secret of ${r.app.id}: ${r.secret}`);
  console.log(`(shown this once; digest ${r.digestPrefix}) the app's other secrets keep working until retired:`);
  for (const d of r.app.secrets.filter((x) => x !== r.digestPrefix)) console.log(`  xinbox app retire-secret ${r.app.id} ${d}`);
}

async function retire(id: string, prefix: string): Promise<void> {
  const r = await call('DELETE', `/v1/admin/apps/${encodeURIComponent(id)}/secrets/${encodeURIComponent(prefix)}`) as { app: AppView };
  console.log(`retired the secret ${prefix} of ${r.app.id}; its secrets now: ${r.app.secrets.join(', ')}`);
}

function call(method: string, path: string, body?: unknown): Promise<unknown> {
  return adminRequest(adminTarget(configFromEnv()), method, path, body);
}

async function run(action: string, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2);
    if (e instanceof AdminRequestError) fail(`xinbox app ${action}: ${e.message}`, 1);
    throw e;
  }
}

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}
