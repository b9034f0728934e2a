/**
 * Web Push for the web client (docs/integration.md "Push notifications"):
 * registers the service worker (/push-sw.js), subscribes the browser with
 * the server's VAPID key (GET /v1/push/webpush-key) and registers the
 * subscription as this device's `webpush` push token; the server then
 * notifies this browser while none of the user's devices is connected.
 */
import { Store } from './store.js';

export type WebPushStatus = 'unsupported' | 'unavailable' | 'denied' | 'off' | 'working' | 'on';

export interface WebPushView {
  readonly status: WebPushStatus;
  readonly error?: string;
}

export interface WebPushDeps {
  readonly baseUrl: string;
  /** The current access token (the device the token names gets the notifications). */
  readonly accessToken: () => string | undefined;
  readonly win: Window & { Notification?: typeof Notification };
}

const SW_URL = '/push-sw.js';

export class WebPushSetup {
  readonly view = new Store<WebPushView>({ status: 'off' });

  constructor(private readonly deps: WebPushDeps) {}

  private get supported(): boolean {
    const w = this.deps.win;
    return 'serviceWorker' in w.navigator && 'PushManager' in w && 'Notification' in w;
  }

  /** Finds out whether this browser is already subscribed. */
  async refresh(): Promise<void> {
    if (!this.supported) return this.view.set({ status: 'unsupported' });
    if (this.deps.win.Notification!.permission === 'denied') return this.view.set({ status: 'denied' });
    const reg = await this.deps.win.navigator.serviceWorker.getRegistration(SW_URL);
    const sub = await reg?.pushManager.getSubscription();
    this.view.set({ status: sub ? 'on' : 'off' });
  }

  async enable(): Promise<void> {
    if (!this.supported) return this.view.set({ status: 'unsupported' });
    this.view.set({ status: 'working' });
    try {
      const key = await this.serverKey();
      if (!key) return this.view.set({ status: 'unavailable' });
      const reg = await this.deps.win.navigator.serviceWorker.register(SW_URL, { scope: '/' });
      if ((await this.deps.win.Notification!.requestPermission()) !== 'granted') return this.view.set({ status: 'denied' });
      await this.deps.win.navigator.serviceWorker.ready;
      const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(key) }));
      await this.call('POST', '/v1/push/tokens', { provider: 'webpush', token: JSON.stringify(sub) });
      this.view.set({ status: 'on' });
    } catch (e) {
      this.view.set({ status: 'off', error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Stops notifications to this browser: at logout, or when the user turns them off. */
  async disable(): Promise<void> {
    if (!this.supported) return;
    const reg = await this.deps.win.navigator.serviceWorker.getRegistration(SW_URL);
    const sub = await reg?.pushManager.getSubscription();
    await sub?.unsubscribe().catch(() => undefined);
    if (this.deps.accessToken()) await this.call('DELETE', '/v1/push/tokens').catch(() => undefined);
    if (this.view.value.status !== 'unsupported') this.view.set({ status: 'off' });
  }

  private async serverKey(): Promise<string | null> {
    const res = await this.deps.win.fetch(`${this.deps.baseUrl}/v1/push/webpush-key`);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`webpush-key: HTTP ${res.status}`);
    return ((await res.json()) as { publicKey: string }).publicKey;
  }

  private async call(method: string, path: string, body?: unknown): Promise<void> {
    const token = this.deps.accessToken();
    if (!token) throw new Error('not logged in');
    const res = await this.deps.win.fetch(`${this.deps.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
  }
}

/** The VAPID key as the bytes pushManager.subscribe() takes. */
export function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
