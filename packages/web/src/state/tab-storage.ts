/**
 * Per-tab persistence in sessionStorage: the device id (so every tab is its
 * own device, as the server counts them), the session tokens and the user's
 * own name, so a reload stays logged in as the same device.
 *
 * Shared login per browser, a device per tab: the latest access token (never
 * a refresh token, which works once) is also kept in the browser-wide
 * storage, so a new tab opens a session of its own with it
 * (POST /v1/sessions) instead of asking for the password again.
 */
import type { KeyValueStorage, Session } from '@xinbox/sdk';

const DEVICE_KEY = 'xinbox.deviceId';
const SESSION_KEY = 'xinbox.session';
const SHARED_KEY = 'xinbox.sharedLogin';

export interface SharedLogin {
  readonly userId: string;
  readonly username: string;
  readonly accessToken: string;
  readonly accessExpiresAt: number;
}

export interface SavedLogin {
  readonly session: Session;
  readonly username: string;
}

export class TabStorage {
  constructor(
    private readonly storage: KeyValueStorage,
    /** Browser-wide storage (localStorage) for the shared login; none: tabs log in separately. */
    private readonly shared?: KeyValueStorage,
  ) {}

  /** This tab's device id, created on first use. */
  deviceId(): string {
    let id = this.storage.getItem(DEVICE_KEY);
    if (!id) {
      id = `web-${randomSuffix()}`;
      this.storage.setItem(DEVICE_KEY, id);
    }
    return id;
  }

  loadLogin(): SavedLogin | undefined {
    const raw = this.storage.getItem(SESSION_KEY);
    if (!raw) return undefined;
    try {
      const v = JSON.parse(raw) as Partial<SavedLogin>;
      if (!v.session || typeof v.session.accessToken !== 'string' || typeof v.username !== 'string') return undefined;
      return { session: v.session, username: v.username };
    } catch {
      return undefined;
    }
  }

  saveLogin(login: SavedLogin | undefined): void {
    if (login) this.storage.setItem(SESSION_KEY, JSON.stringify(login));
    else this.storage.removeItem(SESSION_KEY);
    if (!this.shared) return;
    if (!login) this.shared.removeItem(SHARED_KEY);
    else {
      const s = login.session;
      const shared: SharedLogin = { userId: s.userId, username: login.username, accessToken: s.accessToken, accessExpiresAt: s.accessExpiresAt };
      this.shared.setItem(SHARED_KEY, JSON.stringify(shared));
    }
  }

  /** Another tab's login, if its access token is still valid. */
  loadShared(now = Date.now()): SharedLogin | undefined {
    const raw = this.shared?.getItem(SHARED_KEY);
    if (!raw) return undefined;
    try {
      const v = JSON.parse(raw) as Partial<SharedLogin>;
      if (typeof v.accessToken !== 'string' || typeof v.username !== 'string' || typeof v.userId !== 'string') return undefined;
      if (typeof v.accessExpiresAt === 'number' && v.accessExpiresAt <= now) return undefined;
      return v as SharedLogin;
    } catch {
      return undefined;
    }
  }
}

function randomSuffix(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
