import { randomUUID } from 'node:crypto';
import { signatureHeaders } from './signature.js';

export type PostResult = { ok: true; status: number } | { ok: false; error: string };

/**
 * Signed JSON POSTs to one receiver URL (fetch: keep-alive connections
 * reused across requests). A 2xx answer is success; anything else, a
 * timeout or a network error is a failure the caller may retry.
 */
export class WebhookPoster {
  constructor(
    private readonly url: string,
    private readonly secrets: readonly string[],
    private readonly timeoutMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async post(body: string, signal?: AbortSignal): Promise<PostResult> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Xinbox-Webhooks/1',
          'xinbox-delivery': randomUUID(),
          ...signatureHeaders(this.secrets, body, this.clock()),
        },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      // Read the body so the connection goes back to the pool.
      const text = await res.text();
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      return { ok: false, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}` };
    } catch (e) {
      const err = e as Error & { cause?: Error };
      if (timeout.aborted) return { ok: false, error: `timed out after ${this.timeoutMs} ms` };
      return { ok: false, error: err.cause?.message ?? err.message };
    }
  }
}

/** A batch of stored events as the receiver gets it; the events are already JSON. */
export function batchBody(eventsJson: readonly string[]): string {
  return `{"events":[${eventsJson.join(',')}]}`;
}
