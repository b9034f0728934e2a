/**
 * Native TLS on the HTTP/WebSocket and TCP listeners, with a self-signed
 * certificate made by `openssl` for this test: the SDK (compiled, plain node,
 * trusting the certificate through NODE_EXTRA_CA_CERTS like any Node program)
 * talks https + wss and TLS TCP. SIGHUP swaps in a new certificate for new
 * handshakes while the established connections carry on; unusable files on
 * SIGHUP keep the current certificate.
 */
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnNode, type ProcessNode } from '../support/process-node.js';

const REPO = resolve(import.meta.dirname, '../../../..');

/** A self-signed P-256 certificate for localhost / 127.0.0.1 into cert.pem + key.pem of dir; returns its SHA-256 fingerprint. */
function makeCertificate(dir: string, name: string): string {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'pipe' });
  return new X509Certificate(readFileSync(cert)).fingerprint256;
}

/** The fingerprint of the certificate a new TLS handshake on port gets. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((res, rej) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      res(socket.getPeerX509Certificate()!.fingerprint256);
      socket.destroy();
    });
    socket.once('error', rej);
  });
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Alice on wss://, bob on TLS TCP; messages both ways before and after the parent says "go" (after the SIGHUP). */
const CLIENT = `
import { XinboxClient, textOf } from '@xinbox/sdk';
import { createInterface } from 'node:readline';
const baseUrl = process.argv[2];
const tag = Date.now().toString(36);
const device = (id, transport) => new XinboxClient({ baseUrl, deviceId: id, platform: 'desktop', transport });
const alice = device('alice-ws', 'ws');
const bob = device('bob-tcp', 'tcp');
const connects = { alice: 0, bob: 0 };
alice.on('connected', () => connects.alice++);
bob.on('connected', () => connects.bob++);
for (const [client, name] of [[alice, 'alice_' + tag], [bob, 'bob_' + tag]]) {
  await client.register(name, 'a long password');
  await client.login(name, 'a long password');
  await client.connect();
}
const conv = await alice.openDirect({ username: 'bob_' + tag });
const roundTrip = async (label) => {
  const atBob = new Promise((r) => bob.once('message', r));
  await alice.send(conv.conversationId, label + ' over wss');
  const m = await atBob;
  const atAlice = new Promise((r) => alice.on('message', (x) => x.senderId !== m.senderId && r(x)));
  await bob.send(m.conversationId, label + ' over tls tcp');
  const back = await atAlice;
  console.log('bob got: ' + textOf(m.content) + '; alice got: ' + textOf(back.content));
};
await roundTrip('before');
console.log('ready');
const lines = createInterface({ input: process.stdin });
await new Promise((r) => lines.once('line', r));
lines.close();
await roundTrip('after');
console.log('connects ' + JSON.stringify(connects));
await Promise.all([alice.close(), bob.close()]);
`;

describe('TLS listeners', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xinbox-tls-'));
  const certDir = join(dir, 'tls');
  const trustDir = join(dir, 'trust');
  const project = join(dir, 'app');
  let node: ProcessNode;
  let first: string;

  beforeAll(async () => {
    for (const d of [certDir, trustDir, project]) execFileSync('mkdir', ['-p', d]);
    first = makeCertificate(certDir, 'xinbox-first');
    // The client trusts only this first certificate (a copy: the server's file is replaced below).
    writeFileSync(join(trustDir, 'first.pem'), readFileSync(join(certDir, 'cert.pem')));
    symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'));
    writeFileSync(join(project, 'client.mjs'), CLIENT);
    node = await spawnNode({
      XINBOX_DATA_DIR: join(dir, 'data'),
      XINBOX_LOG_LEVEL: 'info',
      XINBOX_TLS_CERT_FILE: join(certDir, 'cert.pem'),
      XINBOX_TLS_KEY_FILE: join(certDir, 'key.pem'),
    });
  });
  afterAll(async () => {
    await node?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves https and wss, and advertises them', async () => {
    expect(node.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(node.wsUrl).toMatch(/^wss:\/\//);
    expect(await servedFingerprint(node.tcpPort)).toBe(first);
    expect(await servedFingerprint(Number(new URL(node.httpUrl).port))).toBe(first);
  });

  it('carries the SDK over wss and TLS TCP, and keeps those connections across a SIGHUP certificate reload', async () => {
    const child = spawn(process.execPath, ['client.mjs', node.httpUrl], {
      cwd: project,
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: join(trustDir, 'first.pem') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await waitFor(() => out.includes('ready') || child.exitCode !== null, `the client to connect:\n${out}`, 30_000);
    expect(out).toContain('bob got: before over wss; alice got: before over tls tcp');

    // A renewed certificate in place, then SIGHUP.
    const second = makeCertificate(certDir, 'xinbox-second');
    expect(second).not.toBe(first);
    node.proc.kill('SIGHUP');
    await waitFor(() => node.output().includes('TLS certificate and key reloaded'), 'the reload log line');
    expect(await servedFingerprint(node.tcpPort)).toBe(second);
    expect(await servedFingerprint(Number(new URL(node.httpUrl).port))).toBe(second);

    // The connections made under the first certificate still work, and were never re-established.
    child.stdin.write('go\n');
    expect(await exited, out).toBe(0);
    expect(out).toContain('bob got: after over wss; alice got: after over tls tcp');
    expect(out).toContain('connects {"alice":1,"bob":1}');
  });

  it('keeps the current certificate when the files are unusable on SIGHUP', async () => {
    const current = await servedFingerprint(node.tcpPort);
    writeFileSync(join(certDir, 'key.pem'), 'not a key\n');
    node.proc.kill('SIGHUP');
    await waitFor(() => node.output().includes('TLS reload failed'), 'the reload failure log line');
    expect(node.proc.exitCode).toBeNull();
    expect(await servedFingerprint(node.tcpPort)).toBe(current);
  });
});
