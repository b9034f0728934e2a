import type { UserId } from '../../core/model.js';
import type { PushProvider, PushRegistration, PushTokenStore } from '../../core/ports/push-tokens.js';
import type { Sql } from './client.js';
import { int8Array } from './array-literal.js';

interface Row {
  user_id: number;
  device_id: string;
  provider: PushProvider;
  token: string;
  preview: boolean;
  updated_at: number;
}

/** PushTokenStore on PostgreSQL (schema: migration 7 in migrations.ts). */
export class PostgresPushTokenStore implements PushTokenStore {
  constructor(private readonly sql: Sql) {}

  async register(r: PushRegistration): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`DELETE FROM push_tokens WHERE provider = ${r.provider} AND token = ${r.token} AND NOT (user_id = ${r.userId} AND device_id = ${r.deviceId})`;
      await tx`
        INSERT INTO push_tokens (user_id, device_id, provider, token, preview, updated_at)
        VALUES (${r.userId}, ${r.deviceId}, ${r.provider}, ${r.token}, ${r.preview}, ${r.updatedAt})
        ON CONFLICT (user_id, device_id) DO UPDATE SET provider = excluded.provider, token = excluded.token, preview = excluded.preview, updated_at = excluded.updated_at`;
    });
  }

  async unregister(userId: UserId, deviceId: string): Promise<void> {
    await this.sql`DELETE FROM push_tokens WHERE user_id = ${userId} AND device_id = ${deviceId}`;
  }

  async tokensOf(userIds: readonly UserId[]): Promise<PushRegistration[]> {
    if (userIds.length === 0) return [];
    const rows = await this.sql<Row[]>`SELECT * FROM push_tokens WHERE user_id = ANY(${int8Array([...new Set(userIds)])}::int8[]) ORDER BY user_id, device_id`;
    return rows.map((r) => ({ userId: r.user_id, deviceId: r.device_id, provider: r.provider, token: r.token, preview: r.preview, updatedAt: r.updated_at }));
  }

  async removeToken(provider: PushProvider, token: string): Promise<number> {
    const r = await this.sql`DELETE FROM push_tokens WHERE provider = ${provider} AND token = ${token}`;
    return r.count;
  }
}
