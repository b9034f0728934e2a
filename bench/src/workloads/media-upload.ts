import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { assertLoopbackUrl } from '../loopback.js';

/**
 * A media-channel uploader for the bench: one user, chunked uploads over one
 * keep-alive agent (POST /v1/media/uploads, then PATCH chunks with
 * Upload-Offset), as the SDK does. Only for loopback targets.
 */
export class MediaUploader {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });
  private readonly base: URL;

  constructor(base: string, private readonly token: string, private readonly chunkBytes = 4 * 1024 * 1024) {
    this.base = new URL(assertLoopbackUrl(base));
  }

  /** Registers and logs in a fresh user; returns an uploader with its token. */
  static async forNewUser(base: string): Promise<MediaUploader> {
    const username = `bench-media-${randomBytes(4).toString('hex')}`;
    const password = 'bench-media-password';
    const probe = new MediaUploader(base, '');
    await probe.json('POST', '/v1/register', { username, password });
    const login = await probe.json('POST', '/v1/login', { username, password, deviceId: 'bench-media', platform: 'other' }) as { accessToken: string };
    probe.close();
    return new MediaUploader(base, login.accessToken);
  }

  /** Uploads `data`; resolves when the server has stored it (hash, sniff, catalog). */
  async upload(data: Buffer, onChunk?: (bytes: number) => void): Promise<void> {
    const created = await this.json('POST', '/v1/media/uploads', { size: data.length, name: 'bench.bin' }) as { uploadId: string };
    for (let offset = 0; offset < data.length; offset += this.chunkBytes) {
      const chunk = data.subarray(offset, Math.min(data.length, offset + this.chunkBytes));
      await this.send('PATCH', `/v1/media/uploads/${created.uploadId}`, chunk, { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' });
      onChunk?.(chunk.length);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private async json(method: string, path: string, body: unknown): Promise<unknown> {
    const text = await this.send(method, path, Buffer.from(JSON.stringify(body)), { 'content-type': 'application/json' });
    return text ? JSON.parse(text) : undefined;
  }

  private send(method: string, path: string, body: Buffer, headers: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: this.base.hostname, port: this.base.port, path, method, agent: this.agent, timeout: 120_000,
        headers: { ...headers, 'content-length': body.length, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
          else resolve(text);
        });
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.end(body);
    });
  }
}
