/**
 * How the CLI reaches a running server's admin routes, from the same
 * validated settings the server reads: the admin listener
 * (XINBOX_ADMIN_HOST/XINBOX_ADMIN_PORT) when there is one, else the main
 * listener (XINBOX_HOST/XINBOX_PORT) with XINBOX_ADMIN_TOKEN as bearer.
 * Every failure becomes one line that names the setting to check.
 */
import type { XinboxConfig } from '../config.js';

export interface AdminTarget {
  readonly baseUrl: string;
  readonly token: string;
  /** The settings that chose baseUrl, for error messages. */
  readonly settings: string;
}

/** A failure already phrased for the operator. */
export class AdminRequestError extends Error {}

export function adminTarget(config: XinboxConfig): AdminTarget {
  if (config.adminPort > 0) {
    return { baseUrl: `http://${connectHost(config.adminHost)}:${config.adminPort}`, token: config.adminToken, settings: 'XINBOX_ADMIN_HOST/XINBOX_ADMIN_PORT' };
  }
  if (config.adminPort === 0) throw new AdminRequestError('XINBOX_ADMIN_PORT is 0 (any free port): set the port the server\'s admin listener actually uses');
  if (!config.adminToken) {
    throw new AdminRequestError('the admin endpoints need XINBOX_ADMIN_TOKEN (the server\'s) or XINBOX_ADMIN_PORT (the server\'s admin listener)');
  }
  if (config.port === 0) throw new AdminRequestError('XINBOX_PORT is 0 (any free port): set the port the server actually listens on');
  const scheme = config.tlsCertFile ? 'https' : 'http';
  return { baseUrl: `${scheme}://${connectHost(config.host)}:${config.port}`, token: config.adminToken, settings: 'XINBOX_HOST/XINBOX_PORT' };
}

/** POSTs JSON to an admin route; resolves to the reply body, or throws AdminRequestError. */
export function adminPost(target: AdminTarget, path: string, body: unknown, timeoutMs = 10_000): Promise<unknown> {
  return adminRequest(target, 'POST', path, body, timeoutMs);
}

/** Calls an admin route (a JSON body when given); resolves to the reply body, or throws AdminRequestError. */
export async function adminRequest(target: AdminTarget, method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(target.baseUrl + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(target.token ? { authorization: `Bearer ${target.token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new AdminRequestError(unreachable(target, e));
  }
  const text = await res.text();
  let json: { error?: { name?: string; message?: string } } | undefined;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = undefined;
  }
  if (res.ok && json) return json;
  const err = json?.error;
  if (res.status === 401) throw new AdminRequestError(`the server at ${target.baseUrl} refused the admin token: XINBOX_ADMIN_TOKEN must be the server's`);
  if (err?.name) throw new AdminRequestError(`${err.name}: ${err.message ?? ''}`.trim());
  throw new AdminRequestError(`unexpected answer from ${target.baseUrl}${path}: HTTP ${res.status} (is ${target.settings} a Xinbox server?)`);
}

function unreachable(target: AdminTarget, e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer from ${target.baseUrl} in time (${target.settings})`;
  const code = err.cause?.code ?? '';
  if (code === 'ECONNREFUSED') return `cannot reach the server at ${target.baseUrl}: connection refused; is it running, and are ${target.settings} the server's?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host of ${target.baseUrl} (${target.settings})`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    return `the server's TLS certificate at ${target.baseUrl} is not trusted (${code}): set NODE_EXTRA_CA_CERTS, or use the admin listener (XINBOX_ADMIN_PORT)`;
  }
  return `cannot reach the server at ${target.baseUrl} (${target.settings}): ${err.cause?.message ?? err.message}`;
}

/** Where to connect for a listen address: the wildcard means this machine. */
function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
