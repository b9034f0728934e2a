import type Database from 'better-sqlite3';
import { Errors, XinboxError } from '@xinbox/protocol';
import type { AppId, AppPatch, AppRecord, AppStore } from '../../core/ports/app-store.js';
import { appOf, webhookJson, type AppRow } from '../app-rows.js';

/**
 * AppStore on SQLite (schema: migration-apps.ts), served by the storage
 * thread. Each write is one IMMEDIATE transaction: it reads the app and then
 * writes, and taking the write lock up front lets a second connection (another
 * process) wait its turn instead of failing to upgrade a read lock.
 */
export class SqliteAppStore implements AppStore {
  private readonly s;
  private readonly createTx;
  private readonly updateTx;
  private readonly addSecretTx;
  private readonly removeSecretTx;
  private readonly deleteTx;

  constructor(db: Database.Database) {
    this.s = {
      insert: db.prepare<[string, string, number, string | null, string, string]>(
        'INSERT INTO apps (id, name, created_at, webhook, push, limits, version) VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING'),
      get: db.prepare<[string], AppRow>('SELECT * FROM apps WHERE id = ?'),
      list: db.prepare<[], AppRow>('SELECT * FROM apps ORDER BY id'),
      digests: db.prepare<[string], string>('SELECT digest FROM app_secrets WHERE app_id = ? ORDER BY rowid').pluck(),
      holder: db.prepare<[string], string>('SELECT app_id FROM app_secrets WHERE digest = ?').pluck(),
      addDigest: db.prepare<[string, string]>('INSERT INTO app_secrets (digest, app_id) VALUES (?, ?)'),
      removeDigest: db.prepare<[string, string]>('DELETE FROM app_secrets WHERE digest = ? AND app_id = ?'),
      update: db.prepare<[string, string | null, string, string, string]>(
        'UPDATE apps SET name = ?, webhook = ?, push = ?, limits = ?, version = version + 1 WHERE id = ?'),
      bump: db.prepare<[string]>('UPDATE apps SET version = version + 1 WHERE id = ?'),
      delete: db.prepare<[string]>('DELETE FROM apps WHERE id = ?'),
      deleteDigests: db.prepare<[string]>('DELETE FROM app_secrets WHERE app_id = ?'),
    };
    this.createTx = db.transaction((app: Omit<AppRecord, 'version'>): AppRecord => {
      if (this.s.insert.run(app.id, app.name, app.createdAt, webhookJson(app.webhook), JSON.stringify(app.push), JSON.stringify(app.limits)).changes === 0) {
        throw new XinboxError(Errors.APP_ID_TAKEN);
      }
      for (const d of app.secretDigests) this.addDigest(app.id, d);
      return this.must(app.id);
    });
    this.updateTx = db.transaction((id: string, patch: AppPatch): AppRecord => {
      const app = this.must(id);
      const webhook = patch.webhook === undefined ? app.webhook : patch.webhook;
      this.s.update.run(patch.name ?? app.name, webhookJson(webhook), JSON.stringify(patch.push ?? app.push), JSON.stringify(patch.limits ?? app.limits), id);
      return this.must(id);
    });
    this.addSecretTx = db.transaction((id: string, digest: string): AppRecord => {
      const app = this.must(id);
      if (app.secretDigests.includes(digest)) return app;
      this.addDigest(id, digest);
      this.s.bump.run(id);
      return this.must(id);
    });
    this.deleteTx = db.transaction((id: string): boolean => {
      this.s.deleteDigests.run(id);
      return this.s.delete.run(id).changes === 1;
    });
    this.removeSecretTx = db.transaction((id: string, digest: string): AppRecord => {
      const app = this.must(id);
      if (!app.secretDigests.includes(digest)) return app;
      if (app.secretDigests.length === 1) throw new XinboxError(Errors.APP_SECRET_LAST);
      this.s.removeDigest.run(digest, id);
      this.s.bump.run(id);
      return this.must(id);
    });
  }

  async create(app: Omit<AppRecord, 'version'>): Promise<AppRecord> {
    return this.createTx.immediate(app);
  }

  async get(id: AppId): Promise<AppRecord | null> {
    return this.read(id);
  }

  async list(): Promise<AppRecord[]> {
    return this.s.list.all().map((row) => appOf(row, this.s.digests.all(row.id)));
  }

  async findBySecretDigest(digestHex: string): Promise<AppRecord | null> {
    const id = this.s.holder.get(digestHex);
    return id === undefined ? null : this.read(id);
  }

  async update(id: AppId, patch: AppPatch): Promise<AppRecord> {
    return this.updateTx.immediate(id, patch);
  }

  async addSecret(id: AppId, digestHex: string): Promise<AppRecord> {
    return this.addSecretTx.immediate(id, digestHex);
  }

  async removeSecret(id: AppId, digestHex: string): Promise<AppRecord> {
    return this.removeSecretTx.immediate(id, digestHex);
  }

  async delete(id: AppId): Promise<boolean> {
    return this.deleteTx.immediate(id);
  }

  private addDigest(id: string, digest: string): void {
    const holder = this.s.holder.get(digest);
    if (holder !== undefined && holder !== id) throw new XinboxError(Errors.APP_SECRET_INVALID, 'this secret is already in use');
    if (holder === undefined) this.s.addDigest.run(digest, id);
  }

  private read(id: string): AppRecord | null {
    const row = this.s.get.get(id);
    return row ? appOf(row, this.s.digests.all(id)) : null;
  }

  private must(id: string): AppRecord {
    const app = this.read(id);
    if (!app) throw new XinboxError(Errors.APP_NOT_FOUND);
    return app;
  }
}
