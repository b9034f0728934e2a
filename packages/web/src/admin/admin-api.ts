/**
 * The admin console's calls: /v1/admin/* and /v1/metrics with the operator's
 * admin token (XINBOX_ADMIN_TOKEN), kept in this tab's sessionStorage only.
 */
export interface AdminUser {
  readonly userId: string;
  readonly username: string;
  /** The user's app (usernames are unique per app). */
  readonly app: string;
  readonly createdAt: number;
  readonly banned: boolean;
  readonly mutedUntil: number;
}

export interface AdminEvent {
  readonly id: string;
  readonly type: string;
  readonly deviceId: string;
  readonly platform: string;
  readonly ip: string;
  readonly at: number;
  readonly detail: string;
}

export class AdminApi {
  constructor(private readonly baseUrl: string, private readonly token: string, private readonly fetchImpl: typeof fetch) {}

  /** Resolves when the token is accepted (the metrics endpoint answers). */
  async check(): Promise<void> {
    await this.call('GET', '/v1/metrics');
  }

  metrics(): Promise<Record<string, unknown>> {
    return this.call('GET', '/v1/metrics') as Promise<Record<string, unknown>>;
  }

  /** The user of this name in `app` (usernames are unique per app). */
  findUser(username: string, app = 'default'): Promise<AdminUser> {
    return this.call('GET', `/v1/admin/users?username=${encodeURIComponent(username)}&app=${encodeURIComponent(app)}`) as Promise<AdminUser>;
  }

  /** The operator ban (admin-user-routes.ts, by username in `app`): devices close with 4011 at once. */
  async setBanned(username: string, banned: boolean, reason: string, app = 'default'): Promise<void> {
    await this.call('POST', `/v1/admin/users/${encodeURIComponent(username)}/${banned ? 'ban' : 'unban'}`, { reason, app });
  }

  async events(userId: string): Promise<AdminEvent[]> {
    return ((await this.call('GET', `/v1/admin/users/${userId}/events`)) as { events: AdminEvent[] }).events;
  }

  /** One admin call: the section modules (reports-api.ts, webhook-log-api.ts, ...) build on this. */
  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.fetchImpl(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as { error?: { name: string; message: string } }) : {};
    if (!res.ok) throw new Error(json.error ? `${json.error.name}: ${json.error.message}` : `HTTP ${res.status}`);
    return json;
  }
}
