import { Errors, XinboxError } from '@xinbox/protocol';
import type { AppId, AppPatch, AppRecord, AppStore } from '../../core/ports/app-store.js';
import { appOf, webhookJson, type AppRow } from '../app-rows.js';
import type { Sql, TransactionSql } from './client.js';
import { PG, pgErrorCode } from './errors.js';

type Tx = TransactionSql;

// JSON goes in as text cast to jsonb: a parameter inferred as jsonb would be JSON-encoded a second time.
const COLUMNS = 'id, name, created_at, webhook::text AS webhook, push::text AS push, limits::text AS limits, version';

/**
 * AppStore on PostgreSQL (schema: migrations 17). Each write is one
 * transaction that locks the app's row first, so concurrent changes on
 * several nodes apply one after the other and each bumps `version` once.
 */
export class PostgresAppStore implements AppStore {
  constructor(private readonly sql: Sql) {}

  async create(app: Omit<AppRecord, 'version'>): Promise<AppRecord> {
    return this.sql.begin(async (tx) => {
      const inserted = await tx`
        INSERT INTO apps (id, name, created_at, webhook, push, limits, version)
        VALUES (${app.id}, ${app.name}, ${app.createdAt}, ${webhookJson(app.webhook)}::text::jsonb, ${JSON.stringify(app.push)}::text::jsonb, ${JSON.stringify(app.limits)}::text::jsonb, 1)
        ON CONFLICT DO NOTHING`;
      if (inserted.count === 0) throw new XinboxError(Errors.APP_ID_TAKEN);
      for (const d of app.secretDigests) await addDigest(tx, app.id, d);
      return (await read(tx, app.id))!;
    });
  }

  async get(id: AppId): Promise<AppRecord | null> {
    return read(this.sql, id);
  }

  async list(): Promise<AppRecord[]> {
    const rows = await this.sql.unsafe<AppRow[]>(`SELECT ${COLUMNS} FROM apps ORDER BY id`);
    const secrets = await this.sql<Array<{ app_id: string; digest: string }>>`SELECT app_id, digest FROM app_secrets ORDER BY added_at`;
    return rows.map((row) => appOf(row, secrets.filter((s) => s.app_id === row.id).map((s) => s.digest)));
  }

  async findBySecretDigest(digestHex: string): Promise<AppRecord | null> {
    const [holder] = await this.sql<Array<{ app_id: string }>>`SELECT app_id FROM app_secrets WHERE digest = ${digestHex}`;
    return holder ? read(this.sql, holder.app_id) : null;
  }

  async update(id: AppId, patch: AppPatch): Promise<AppRecord> {
    return this.sql.begin(async (tx) => {
      const app = await lock(tx, id);
      const webhook = patch.webhook === undefined ? app.webhook : patch.webhook;
      await tx`
        UPDATE apps SET name = ${patch.name ?? app.name}, webhook = ${webhookJson(webhook)}::text::jsonb,
          push = ${JSON.stringify(patch.push ?? app.push)}::text::jsonb, limits = ${JSON.stringify(patch.limits ?? app.limits)}::text::jsonb,
          version = version + 1
        WHERE id = ${id}`;
      return (await read(tx, id))!;
    });
  }

  async addSecret(id: AppId, digestHex: string): Promise<AppRecord> {
    return this.sql.begin(async (tx) => {
      const app = await lock(tx, id);
      if (app.secretDigests.includes(digestHex)) return app;
      await addDigest(tx, id, digestHex);
      await tx`UPDATE apps SET version = version + 1 WHERE id = ${id}`;
      return (await read(tx, id))!;
    });
  }

  async removeSecret(id: AppId, digestHex: string): Promise<AppRecord> {
    return this.sql.begin(async (tx) => {
      const app = await lock(tx, id);
      if (!app.secretDigests.includes(digestHex)) return app;
      if (app.secretDigests.length === 1) throw new XinboxError(Errors.APP_SECRET_LAST);
      await tx`DELETE FROM app_secrets WHERE digest = ${digestHex} AND app_id = ${id}`;
      await tx`UPDATE apps SET version = version + 1 WHERE id = ${id}`;
      return (await read(tx, id))!;
    });
  }

  async delete(id: AppId): Promise<boolean> {
    return (await this.sql`DELETE FROM apps WHERE id = ${id}`).count === 1;
  }
}

async function read(sql: Sql | Tx, id: string, forUpdate = false): Promise<AppRecord | null> {
  const [row] = await sql.unsafe<AppRow[]>(`SELECT ${COLUMNS} FROM apps WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) return null;
  const digests = await sql<Array<{ digest: string }>>`SELECT digest FROM app_secrets WHERE app_id = ${id} ORDER BY added_at`;
  return appOf(row, digests.map((d) => d.digest));
}

async function lock(tx: Tx, id: string): Promise<AppRecord> {
  const app = await read(tx, id, true);
  if (!app) throw new XinboxError(Errors.APP_NOT_FOUND);
  return app;
}

/** A digest held by another app is refused: secrets are random, so a clash means one was reused. */
async function addDigest(tx: Tx, id: string, digest: string): Promise<void> {
  const [holder] = await tx<Array<{ app_id: string }>>`SELECT app_id FROM app_secrets WHERE digest = ${digest}`;
  if (holder && holder.app_id !== id) throw new XinboxError(Errors.APP_SECRET_INVALID, 'this secret is already in use');
  if (holder) return;
  try {
    await tx`INSERT INTO app_secrets (digest, app_id) VALUES (${digest}, ${id})`;
  } catch (error) {
    if (pgErrorCode(error) === PG.uniqueViolation) throw new XinboxError(Errors.APP_SECRET_INVALID, 'this secret is already in use');
    throw error;
  }
}
