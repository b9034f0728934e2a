import { RoomAdminAction } from '@xinbox/protocol';
import type { ConnSpec } from '../load/messages.js';
import { sourceAddress, sourceAddressCount } from '../loopback.js';
import { nowMs, sleep } from '../time.js';
import { errorName, isUnknownOperation } from './common.js';
import type { W4Config } from './w4-config.js';
import { failed, skipped, type TargetOutcome, type TargetSession } from './types.js';

/**
 * W4 setup: provision `conns` users, connect them (batches spread over the
 * load processes, the gateway URLs and client source addresses), let the
 * first one create a room with a fresh id (RoomAdmin CREATE: it becomes the
 * host) and have every connection join it with afterSeq 0. Server RSS is
 * read before the first connection and after everyone joined.
 */
export interface RoomSetup {
  readonly roomId: string;
  /** Global indices of the connections that joined, host first. */
  readonly conns: readonly number[];
  readonly attempted: number;
  readonly connectFailed: number;
  readonly connectErrors: Record<string, number>;
  readonly joinErrors: Record<string, number>;
  readonly connectMs: number;
  readonly joinMs: number;
  readonly rssBeforeBytes: number;
  readonly rssJoinedBytes: number;
  readonly sourceAddrs: number;
}

export const LACKS_ROOMS = 'server lacks rooms';

const CONNECT_BATCH = 5000;
const CONNECT_CONCURRENCY = 200;
const JOIN_CONCURRENCY = 100;

export async function setupRoom(s: TargetSession, cfg: W4Config, deviceId: string): Promise<RoomSetup | TargetOutcome> {
  await s.fleet.closeAll();
  const t0 = nowMs();
  const users = await s.pool.ensure(cfg.conns);
  const login = await s.pool.login(users, deviceId);
  s.log(`w4: ${users.length} users ready in ${Math.round(nowMs() - t0)} ms (logins ${login.count} at ${login.perSec}/s, ${login.failed} failed)`);
  await sleep(s.opts.quick ? 200 : 2000);
  await s.sampler.sampleOnce();
  const rssBeforeBytes = s.sampler.currentRssBytes();

  const sourceAddrs = Math.max(s.sourceAddrs, sourceAddressCount(cfg.conns));
  const urls = s.server.wsUrls;
  const ok: number[] = [];
  const connectErrors: Record<string, number> = {};
  let connectMs = 0;
  const withToken = users.filter((u) => u.tokens.has(deviceId));
  for (let at = 0; at < withToken.length; at += CONNECT_BATCH) {
    const batch = withToken.slice(at, at + CONNECT_BATCH);
    const base = s.fleet.connectionCount;
    const specs: ConnSpec[] = batch.map((u, k) => ({
      userId: u.userId,
      token: u.tokens.get(deviceId)!,
      url: urls[(base + k) % urls.length]!,
      localAddress: sourceAddress(base + k, sourceAddrs),
    }));
    const tc = nowMs();
    const out = await s.fleet.connect(specs, CONNECT_CONCURRENCY, 20_000);
    connectMs += nowMs() - tc;
    out.ok.forEach((good, k) => {
      if (good) ok.push(base + k);
    });
    for (const [e, n] of Object.entries(out.errors)) connectErrors[e] = (connectErrors[e] ?? 0) + n;
    if (withToken.length > CONNECT_BATCH) s.log(`w4: ${ok.length}/${at + batch.length} connected${Object.keys(out.errors).length ? ` errors ${JSON.stringify(out.errors)}` : ''}`);
    // A batch that mostly failed means the server (or this machine) is out of sockets: stop there.
    if (out.okCount < batch.length * 0.5) break;
  }
  if (ok.length < 2) return failed(`only ${ok.length} of ${cfg.conns} connections opened: ${JSON.stringify(connectErrors)}`);

  const roomId = `w4-${Date.now().toString(36)}-${s.nextRunId()}`;
  const host = ok[0]!;
  const [created] = await s.fleet.rpc([{ conn: host, init: { body: { case: 'roomAdmin', value: { roomId, action: RoomAdminAction.CREATE } } } }], 1, 30_000);
  if (isUnknownOperation(created!)) return skipped(LACKS_ROOMS);
  const createErr = errorName(created!);
  if (createErr) return failed(`RoomAdmin CREATE failed: ${createErr}`);

  const tj = nowMs();
  const replies = await s.fleet.rpc(ok.map((conn) => ({ conn, init: { body: { case: 'roomJoin' as const, value: { roomId, afterSeq: 0 } } } })), JOIN_CONCURRENCY, 30_000);
  const joinMs = nowMs() - tj;
  const joined: number[] = [];
  const joinErrors: Record<string, number> = {};
  replies.forEach((r, k) => {
    if (!(r instanceof Error) && r.body.case === 'roomJoined') joined.push(ok[k]!);
    else {
      const e = errorName(r) ?? `unexpected ${r instanceof Error ? 'error' : r.body.case}`;
      joinErrors[e] = (joinErrors[e] ?? 0) + 1;
    }
  });
  if (!joined.includes(host)) return failed(`the host could not join its room: ${JSON.stringify(joinErrors)}`);
  s.log(`w4: room ${roomId}: ${joined.length} joined of ${ok.length} connected (connect ${Math.round(connectMs)} ms, join ${Math.round(joinMs)} ms)${Object.keys(joinErrors).length ? ` join errors ${JSON.stringify(joinErrors)}` : ''}`);
  // Let the join traffic and the first audience events settle before reading memory.
  await sleep(s.opts.quick ? 300 : 3000);
  await s.sampler.sampleOnce();
  return {
    roomId, conns: joined, attempted: cfg.conns, connectFailed: cfg.conns - ok.length, connectErrors, joinErrors,
    connectMs: Math.round(connectMs), joinMs: Math.round(joinMs), rssBeforeBytes, rssJoinedBytes: s.sampler.currentRssBytes(), sourceAddrs,
  };
}
