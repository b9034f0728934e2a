import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { verifyWebhook } from '../../src/platform/webhooks/index.js';

export interface ReceivedEvent {
  readonly id: string;
  readonly type: string;
  readonly time: number;
  readonly orderKey: string;
  readonly data: Record<string, unknown>;
}

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The signature checked with the receiver's secret, as a customer's backend would. */
  readonly verified: boolean;
}

export type Answer = (req: ReceivedRequest, json: Record<string, unknown>) => Promise<{ status: number; body?: unknown }> | { status: number; body?: unknown };

/**
 * A real HTTP server playing the customer's webhook receiver: it verifies
 * every request's signature, records the events, and answers with `answer`
 * (200 by default). It can stop and start again on the same port.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  readonly events: ReceivedEvent[] = [];
  answer: Answer = () => ({ status: 200 });
  private server: Server | null = null;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(readonly secret: string, readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Stop listening and cut every open connection: the receiver is down. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }

  ofType(type: string): ReceivedEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const verified = verifyWebhook(this.secret, req.headers as Record<string, string>, body).ok;
    const record: ReceivedRequest = { path: req.url ?? '', headers: req.headers, body, verified };
    this.requests.push(record);
    const json = JSON.parse(body) as Record<string, unknown>;
    const answer = await this.answer(record, json);
    // Record only what the receiver acknowledged: a 2xx is the "got it".
    if (answer.status >= 200 && answer.status < 300 && Array.isArray(json.events)) this.events.push(...(json.events as ReceivedEvent[]));
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }
}
