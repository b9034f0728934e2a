import { randomUUID } from 'node:crypto';
import { signatureHeaders } from './signature.js';
import { HttpPoster } from '../http-post.js';

export type PostResult = { ok: true; status: number } | { ok: false; error: string };

/**
 * Signed JSON POSTs of event batches to the receiver, over kept-alive
 * connections. A 2xx answer is success; anything else, a timeout or a
 * network error is a failure the caller may retry.
 */
export class WebhookPoster {
  private readonly http: HttpPoster;

  constructor(
    url: string,
    private readonly secrets: readonly string[],
    private readonly timeoutMs: number,
    maxSockets: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.http = new HttpPoster(url, maxSockets);
  }

  async post(body: string, signal?: AbortSignal): Promise<PostResult> {
    try {
      const res = await this.http.post(body, { 'xinbox-delivery': randomUUID(), ...signatureHeaders(this.secrets, body, this.clock()) }, this.timeoutMs, signal);
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      return { ok: false, error: `HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 200)}` : ''}` };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  close(): void {
    this.http.close();
  }
}

/** A batch of stored events as the receiver gets it; the events are already JSON. */
export function batchBody(eventsJson: readonly string[]): string {
  return `{"events":[${eventsJson.join(',')}]}`;
}
