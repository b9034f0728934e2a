/** The apps calls of the admin console (server: api/admin-app-routes.ts). Secrets come back once, on create and rotate. */
import type { AdminApi } from './admin-api.js';

export interface AdminApp {
  readonly id: string;
  readonly name: string;
  readonly builtIn: boolean;
  readonly createdAt: number;
  readonly version: number;
  /** Digest prefixes of the server API secrets (never the secrets). */
  readonly secrets: readonly string[];
  /** signingSecrets are masked (last 4 characters). */
  readonly webhook: {
    readonly url: string; readonly events: string; readonly signingSecrets: readonly string[];
    readonly beforeSend?: BeforeSendSettings;
  } | null;
  readonly push: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, number>>;
}

/** An app's before-send check (absent timeoutMs / onFailure: the server config's). */
export interface BeforeSendSettings {
  readonly url: string;
  readonly timeoutMs?: number;
  readonly onFailure?: 'allow' | 'reject';
}

export interface IssuedSecret {
  readonly app: AdminApp;
  readonly secret: string;
  readonly digestPrefix: string;
}

export interface AppPatch {
  readonly name?: string;
  /** beforeSend null: no check. */
  readonly webhook?: { url: string; signingSecrets?: string[]; events?: string; beforeSend?: BeforeSendSettings | null } | null;
  readonly limits?: Record<string, number>;
}

const path = (id: string) => `/v1/admin/apps/${encodeURIComponent(id)}`;

export async function listApps(api: AdminApi): Promise<AdminApp[]> {
  return ((await api.call('GET', '/v1/admin/apps')) as { apps: AdminApp[] }).apps;
}

export async function createApp(api: AdminApi, id: string, name: string): Promise<IssuedSecret> {
  return (await api.call('POST', '/v1/admin/apps', { id, ...(name ? { name } : {}) })) as IssuedSecret;
}

export async function updateApp(api: AdminApi, id: string, patch: AppPatch): Promise<AdminApp> {
  return ((await api.call('PATCH', path(id), patch)) as { app: AdminApp }).app;
}

export async function rotateSecret(api: AdminApi, id: string): Promise<IssuedSecret> {
  return (await api.call('POST', `${path(id)}/secrets`)) as IssuedSecret;
}

export async function retireSecret(api: AdminApi, id: string, digestPrefix: string): Promise<AdminApp> {
  return ((await api.call('DELETE', `${path(id)}/secrets/${encodeURIComponent(digestPrefix)}`)) as { app: AdminApp }).app;
}
