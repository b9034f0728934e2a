import type { UserId } from '../model.js';

/**
 * Apps (tenants) of a deployment: ADR 0013. One deployment hosts several apps
 * whose users, rooms, webhooks, push credentials and limits are isolated. The
 * built-in `default` app is synthesised from the config and never stored
 * (core/apps/app-directory.ts); this port holds the others.
 */

/** An app's public, immutable id ("app key"). */
export type AppId = string;

/** The app of every user created before apps existed, and of config-only deployments. */
export const DEFAULT_APP_ID: AppId = 'default';

/** 3–32 characters: lower-case letters, digits and '-', starting with a letter or digit. */
export const APP_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,31}$/;

/** Where an app's events go (the app's own receiver; the config's for `default`). */
export interface AppWebhook {
  readonly url: string;
  /** HMAC-SHA256 signing secrets, 16+ characters each; every one signs (rotation overlap). Stored as given: signing needs them. */
  readonly signingSecrets: readonly string[];
  /** Subscribed event types: comma list of types, `prefix.*` or `*` (as config `webhookEvents`). */
  readonly events: string;
  /**
   * The app's synchronous before-send check (as config `beforeSendUrl`), signed
   * with `signingSecrets`; absent = the app's messages are not checked.
   */
  readonly beforeSend?: AppBeforeSend;
}

/** Where and how an app's client messages are checked before they commit (docs/integration.md, before-send). */
export interface AppBeforeSend {
  readonly url: string;
  /** How long a send waits for the answer; absent = config `beforeSendTimeoutMs`. */
  readonly timeoutMs?: number;
  /** A failed or timed-out check lets the message through (`allow`) or refuses it (`reject`); absent = config `beforeSendOnFailure`. */
  readonly onFailure?: 'allow' | 'reject';
}

/**
 * An app's push provider credentials. Key material stays in files the operator
 * provides (as in config); only paths and public identifiers are stored, and
 * admin listings never show a private key.
 */
export interface AppPushCredentials {
  readonly apnsTeamId?: string;
  readonly apnsKeyId?: string;
  readonly apnsKeyFile?: string;
  readonly apnsTopic?: string;
  readonly fcmServiceAccountFile?: string;
  readonly webPushPublicKey?: string;
  /** Path of a file holding the VAPID private key (base64url). */
  readonly webPushPrivateKeyFile?: string;
  readonly webPushSubject?: string;
  readonly pushWebhookUrl?: string;
}

/** Per-app overrides of the config's request limits (same names and units); absent = the config's value. */
export interface AppLimits {
  readonly limitSendPerUser?: number;
  readonly limitReadPerUser?: number;
  readonly limitCreatePerUser?: number;
  readonly limitRegisterPerIpPerMin?: number;
  readonly limitLoginPerIpPerMin?: number;
}

export interface AppRecord {
  readonly id: AppId;
  readonly name: string;
  readonly createdAt: number;
  /** SHA-256 digests (lower-case hex) of the server API secrets; a secret itself is shown once, when created. */
  readonly secretDigests: readonly string[];
  readonly webhook: AppWebhook | null;
  readonly push: AppPushCredentials;
  readonly limits: AppLimits;
  /** Starts at 1 and grows with every change, so caches (notifiers, limits) can tell a record changed. */
  readonly version: number;
}

export interface AppPatch {
  readonly name?: string;
  readonly webhook?: AppWebhook | null;
  readonly push?: AppPushCredentials;
  readonly limits?: AppLimits;
}

/**
 * Contract (test/contracts/app-store.contract.ts):
 * - `create` stores a new app with version 1; an id already stored is
 *   `APP_ID_TAKEN` (nothing changes). The store does not validate ids or
 *   refuse `default`: the AppDirectory does, before it calls the store.
 * - `get` returns the app or null; `list` returns every app ordered by id.
 * - `findBySecretDigest` returns the app holding that digest, or null. A
 *   digest belongs to at most one app: `addSecret` of a digest another app
 *   holds is `APP_SECRET_INVALID` (secrets are random; a clash means reuse).
 * - `update`, `addSecret`, `removeSecret` apply atomically, bump `version` by
 *   one and return the new record; an unknown id is `APP_NOT_FOUND`.
 *   `removeSecret` of the app's last digest is `APP_SECRET_LAST` (an app
 *   always has a way in); of a digest it does not hold, a no-op that still
 *   returns the record (version unchanged).
 * - `delete` removes the app (true) or reports it was not there (false).
 *   What belonged to it (users, rooms) is not the store's concern.
 */
export interface AppStore {
  create(app: Omit<AppRecord, 'version'>): Promise<AppRecord>;
  get(id: AppId): Promise<AppRecord | null>;
  list(): Promise<AppRecord[]>;
  findBySecretDigest(digestHex: string): Promise<AppRecord | null>;
  update(id: AppId, patch: AppPatch): Promise<AppRecord>;
  addSecret(id: AppId, digestHex: string): Promise<AppRecord>;
  removeSecret(id: AppId, digestHex: string): Promise<AppRecord>;
  delete(id: AppId): Promise<boolean>;
}

/** The app a user belongs to (a user's app never changes, so answers may be cached forever). */
export type AppOfUser = (userId: UserId) => Promise<AppId>;
