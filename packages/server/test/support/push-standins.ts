/**
 * Local stand-ins for the push providers, implementing their documented
 * request/response contracts (no provider is reachable from the test
 * machines): APNs over HTTP/2 (cleartext h2c here; the real service is TLS)
 * verifying the ES256 provider token, and FCM HTTP v1 with its OAuth token
 * endpoint verifying the RS256 service-account assertion.
 */
import { createServer as createH2Server, type Http2Server } from 'node:http2';
import { createServer, type Server } from 'node:http';
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';

function jwtParts(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown>; input: string; sig: Buffer } {
  const [h, c, s] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), claims: JSON.parse(Buffer.from(c!, 'base64url').toString()), input: `${h}.${c}`, sig: Buffer.from(s!, 'base64url') };
}

export interface ApnsPush {
  readonly token: string;
  readonly headers: Record<string, string>;
  readonly payload: { aps: { alert: { title: string; body: string }; badge: number }; conversationId: string };
  /** The team whose provider token authenticated the push (several apps may share one APNs endpoint). */
  readonly teamId: string;
}

/** Told about every accepted notification as it arrives (the push-cost benchmark's sink counts and times them). */
export type PushListener = (token: string, alert: { title: string; body: string }) => void;

export class ApnsStandIn {
  readonly pushes: ApnsPush[] = [];
  /** false: accepted pushes are only reported to `onPush`, not kept (a long benchmark would fill memory). */
  keep = true;
  onPush: PushListener | null = null;
  readonly refused: string[] = [];
  /** Tokens answered 410 Unregistered. */
  readonly dead = new Set<string>();
  readonly privateKeyPem: string;
  private server: Http2Server | null = null;
  port = 0;

  /** Every team (developer account) this stand-in accepts provider tokens of: its key id, public key and bundle id. */
  private readonly teams = new Map<string, { keyId: string; publicKey: KeyObject; topic: string }>();

  constructor(readonly teamId: string, readonly keyId: string, readonly topic: string) {
    this.privateKeyPem = this.addTeam(teamId, keyId, topic);
  }

  /** Accepts another team's tokens (another app's credentials); returns its signing key (.p8 PEM). */
  addTeam(teamId: string, keyId: string, topic: string): string {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.teams.set(teamId, { keyId, publicKey, topic });
    return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  async start(): Promise<string> {
    const server = createH2Server();
    server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const answer = (status: number, body?: unknown) => {
          stream.respond({ ':status': status, 'apns-id': '00000000-0000-0000-0000-000000000000', ...(body ? { 'content-type': 'application/json' } : {}) });
          stream.end(body ? JSON.stringify(body) : undefined);
        };
        const path = String(headers[':path']);
        const m = /^\/3\/device\/([0-9a-zA-Z]+)$/.exec(path);
        if (headers[':method'] !== 'POST' || !m) return answer(404, { reason: 'BadPath' });
        const auth = String(headers.authorization ?? '');
        if (!auth.startsWith('bearer ')) return answer(403, { reason: 'MissingProviderToken' });
        const jwt = jwtParts(auth.slice(7));
        const team = this.teams.get(String(jwt.claims.iss));
        const ok = team !== undefined && jwt.header.alg === 'ES256' && jwt.header.kid === team.keyId
          && verify('sha256', Buffer.from(jwt.input), { key: team.publicKey, dsaEncoding: 'ieee-p1363' }, jwt.sig);
        if (!ok) {
          this.refused.push('InvalidProviderToken');
          return answer(403, { reason: 'InvalidProviderToken' });
        }
        if (headers['apns-topic'] !== team.topic) return answer(400, { reason: 'TopicDisallowed' });
        if (headers['apns-push-type'] !== 'alert') return answer(400, { reason: 'InvalidPushType' });
        const token = m[1]!;
        if (this.dead.has(token)) {
          this.refused.push(token);
          return answer(410, { reason: 'Unregistered', timestamp: Date.now() });
        }
        const payload = JSON.parse(Buffer.concat(chunks).toString()) as ApnsPush['payload'];
        if (this.keep) this.pushes.push({ teamId: String(jwt.claims.iss), token, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])), payload });
        this.onPush?.(token, payload.aps.alert);
        answer(200);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export interface FcmMessage {
  readonly message: { token: string; notification: { title: string; body: string }; data: Record<string, string>; apns: { payload: { aps: { badge: number } } } };
}

export class FcmStandIn {
  readonly messages: FcmMessage[] = [];
  /** false: accepted messages are only reported to `onPush`, not kept. */
  keep = true;
  onPush: PushListener | null = null;
  private accepted = 0;
  readonly refused: string[] = [];
  readonly dead = new Set<string>();
  readonly serviceAccount: Record<string, string>;
  private readonly publicKey: KeyObject;
  private server: Server | null = null;
  private readonly accessToken = 'ya29.stand-in-access-token';
  tokenRequests = 0;

  constructor(readonly projectId: string) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKey = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
    this.serviceAccount = {
      type: 'service_account', project_id: projectId, client_email: `xinbox@${projectId}.iam.gserviceaccount.com`,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), token_uri: '',
    };
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const json = (status: number, v: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
        if (req.url === '/token') {
          this.tokenRequests++;
          const form = new URLSearchParams(body);
          const jwt = jwtParts(form.get('assertion') ?? '..');
          const ok = form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && jwt.header.alg === 'RS256'
            && jwt.claims.iss === this.serviceAccount.client_email && jwt.claims.aud === this.serviceAccount.token_uri
            && jwt.claims.scope === 'https://www.googleapis.com/auth/firebase.messaging'
            && verify('sha256', Buffer.from(jwt.input), this.publicKey, jwt.sig);
          if (!ok) return json(400, { error: 'invalid_grant' });
          return json(200, { access_token: this.accessToken, expires_in: 3599, token_type: 'Bearer' });
        }
        if (req.url !== `/v1/projects/${this.projectId}/messages:send`) return json(404, { error: { code: 404, status: 'NOT_FOUND', message: 'bad path' } });
        if (req.headers.authorization !== `Bearer ${this.accessToken}`) return json(401, { error: { code: 401, status: 'UNAUTHENTICATED', message: 'bad token' } });
        const m = JSON.parse(body) as FcmMessage;
        if (this.dead.has(m.message.token)) {
          this.refused.push(m.message.token);
          return json(404, { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }] } });
        }
        if (this.keep) this.messages.push(m);
        this.onPush?.(m.message.token, m.message.notification);
        json(200, { name: `projects/${this.projectId}/messages/${++this.accepted}` });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    this.server = server;
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    this.serviceAccount.token_uri = `${base}/token`;
    return base;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
