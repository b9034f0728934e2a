import { randomUUID } from 'node:crypto';
import { ContentSchema, Errors, XinboxError } from '@xinbox/protocol';
import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import type { Logger } from '../../logger.js';
import type { SendAdmission } from '../../core/ports/send-admission.js';
import type { Caller, SendRequest } from '../../core/messaging/send-types.js';
import { validateContent } from '../../core/messaging/content.js';
import { contentJson } from './message-events.js';
import { signatureHeaders } from './signature.js';
import { HttpPoster } from '../http-post.js';

export interface BeforeSendOptions {
  readonly url: string;
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
  /** What a timeout, network error, non-2xx or unreadable answer means: let the message through, or refuse it (UNAVAILABLE, retryable). */
  readonly onFailure: 'allow' | 'reject';
  /** Connections kept to the check's server. */
  readonly maxSockets: number;
  readonly clock?: () => number;
}

type Verdict = { action: 'allow' } | { action: 'reject'; reason?: string } | { action: 'rewrite'; content: JsonValue };

/**
 * The before-send webhook (docs/integration.md): each client message is
 * POSTed (signed, like every webhook) before it may join a commit batch;
 * the answer allows it, rejects it (MESSAGE_REJECTED to the sender) or
 * rewrites its content (validated like a client's). A failing hook follows
 * `onFailure`. System notices and server-API sends as the system skip it.
 */
export class BeforeSendHook implements SendAdmission {
  private readonly clock: () => number;
  private readonly counters = { allowed: 0, rejected: 0, rewritten: 0, failures: 0, lastFailure: '' };

  private readonly http: HttpPoster;

  constructor(private readonly opts: BeforeSendOptions, private readonly log: Logger) {
    this.clock = opts.clock ?? Date.now;
    this.http = new HttpPoster(opts.url, opts.maxSockets);
  }

  close(): void {
    this.http.close();
  }

  stats(): { allowed: number; rejected: number; rewritten: number; failures: number; lastFailure: string } {
    return { ...this.counters };
  }

  async admit(caller: Caller, req: SendRequest): Promise<SendRequest> {
    const now = this.clock();
    const body = JSON.stringify({
      id: randomUUID(),
      type: 'message.before_send',
      time: now,
      orderKey: `conversation:${req.conversationId}`,
      data: {
        conversationId: String(req.conversationId),
        senderId: String(caller.userId),
        deviceId: caller.deviceId,
        clientMsgId: req.clientMsgId,
        content: contentJson(req.content),
        mentions: req.mentions.map(String),
        mentionAll: req.mentionAll,
        visibleTo: req.visibleTo.map(String),
      },
    });
    let verdict: Verdict;
    try {
      verdict = await this.ask(body, now);
    } catch (e) {
      this.counters.failures++;
      this.counters.lastFailure = (e as Error).message;
      if (this.counters.failures === 1 || this.counters.failures % 1000 === 0) {
        this.log.warn(`before-send hook failed (${(e as Error).message}); ${this.opts.onFailure === 'allow' ? 'letting messages through' : 'refusing messages'}`);
      }
      if (this.opts.onFailure === 'allow') return req;
      throw new XinboxError(Errors.UNAVAILABLE, 'the before-send check is unavailable; retry later');
    }
    switch (verdict.action) {
      case 'allow':
        this.counters.allowed++;
        return req;
      case 'reject':
        this.counters.rejected++;
        throw new XinboxError(Errors.MESSAGE_REJECTED, verdict.reason ? `rejected: ${String(verdict.reason).slice(0, 200)}` : undefined);
      case 'rewrite': {
        let content: Uint8Array;
        try {
          content = validateContent(fromJson(ContentSchema, verdict.content));
        } catch (e) {
          // A hook that rewrites into something invalid is a failing hook.
          this.counters.failures++;
          this.log.warn(`before-send hook returned invalid content: ${(e as Error).message}`);
          if (this.opts.onFailure === 'allow') return req;
          throw new XinboxError(Errors.UNAVAILABLE, 'the before-send check returned invalid content');
        }
        this.counters.rewritten++;
        return { ...req, content };
      }
    }
  }

  private async ask(body: string, now: number): Promise<Verdict> {
    const res = await this.http.post(body, signatureHeaders(this.opts.secrets, body, now), this.opts.timeoutMs);
    const text = res.text;
    if (res.status === 204) return { action: 'allow' };
    if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}`);
    const v = JSON.parse(text) as { action?: unknown; reason?: unknown; content?: unknown };
    if (v.action === 'allow') return { action: 'allow' };
    if (v.action === 'reject') return { action: 'reject', reason: typeof v.reason === 'string' ? v.reason : undefined };
    if (v.action === 'rewrite' && v.content && typeof v.content === 'object') return { action: 'rewrite', content: v.content as JsonValue };
    throw new Error(`unreadable answer ${text.slice(0, 100)}`);
  }
}
