import { Errors, XinboxError } from '@xinbox/protocol';
import type { AppId, AppPatch, AppRecord, AppStore } from '../../core/ports/app-store.js';

/** AppStore in memory (tests, storage=memory). Records are frozen copies, so callers cannot change stored state. */
export class MemoryAppStore implements AppStore {
  private readonly apps = new Map<AppId, AppRecord>();

  async create(app: Omit<AppRecord, 'version'>): Promise<AppRecord> {
    if (this.apps.has(app.id)) throw new XinboxError(Errors.APP_ID_TAKEN);
    for (const d of app.secretDigests) this.refuseHeldElsewhere(app.id, d);
    return this.put({ ...app, version: 1 });
  }

  async get(id: AppId): Promise<AppRecord | null> {
    return this.apps.get(id) ?? null;
  }

  async list(): Promise<AppRecord[]> {
    return [...this.apps.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async findBySecretDigest(digestHex: string): Promise<AppRecord | null> {
    for (const app of this.apps.values()) if (app.secretDigests.includes(digestHex)) return app;
    return null;
  }

  async update(id: AppId, patch: AppPatch): Promise<AppRecord> {
    const app = this.must(id);
    return this.put({
      ...app,
      name: patch.name ?? app.name,
      webhook: patch.webhook === undefined ? app.webhook : patch.webhook,
      push: patch.push ?? app.push,
      limits: patch.limits ?? app.limits,
      version: app.version + 1,
    });
  }

  async addSecret(id: AppId, digestHex: string): Promise<AppRecord> {
    const app = this.must(id);
    this.refuseHeldElsewhere(id, digestHex);
    if (app.secretDigests.includes(digestHex)) return app;
    return this.put({ ...app, secretDigests: [...app.secretDigests, digestHex], version: app.version + 1 });
  }

  async removeSecret(id: AppId, digestHex: string): Promise<AppRecord> {
    const app = this.must(id);
    if (!app.secretDigests.includes(digestHex)) return app;
    if (app.secretDigests.length === 1) throw new XinboxError(Errors.APP_SECRET_LAST);
    return this.put({ ...app, secretDigests: app.secretDigests.filter((d) => d !== digestHex), version: app.version + 1 });
  }

  async delete(id: AppId): Promise<boolean> {
    return this.apps.delete(id);
  }

  private must(id: AppId): AppRecord {
    const app = this.apps.get(id);
    if (!app) throw new XinboxError(Errors.APP_NOT_FOUND);
    return app;
  }

  private refuseHeldElsewhere(id: AppId, digestHex: string): void {
    for (const other of this.apps.values()) {
      if (other.id !== id && other.secretDigests.includes(digestHex)) throw new XinboxError(Errors.APP_SECRET_INVALID, 'this secret is already in use');
    }
  }

  private put(app: AppRecord): AppRecord {
    const frozen = Object.freeze({
      ...app,
      secretDigests: Object.freeze([...app.secretDigests]),
      webhook: app.webhook ? Object.freeze({ ...app.webhook, signingSecrets: Object.freeze([...app.webhook.signingSecrets]) }) : null,
      push: Object.freeze({ ...app.push }),
      limits: Object.freeze({ ...app.limits }),
    });
    this.apps.set(app.id, frozen);
    return frozen;
  }
}
