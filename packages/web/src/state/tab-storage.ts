/**
 * Per-tab persistence in sessionStorage: the device id (so every tab is its
 * own device, as the server counts them), the session tokens and the user's
 * own name, so a reload stays logged in as the same device.
 */
import type { KeyValueStorage, Session } from '@xinbox/sdk';

const DEVICE_KEY = 'xinbox.deviceId';
const SESSION_KEY = 'xinbox.session';

export interface SavedLogin {
  readonly session: Session;
  readonly username: string;
}

export class TabStorage {
  constructor(private readonly storage: KeyValueStorage) {}

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
  }
}

function randomSuffix(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
