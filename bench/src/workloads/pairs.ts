import { connectUsers, errorName, isUnknownOperation } from './common.js';
import { failed, skipped, type TargetOutcome, type TargetSession } from './types.js';

/**
 * W1 setup: `users` users in pairs (2p, 2p+1), all connected; the first member
 * of the first `senders` pairs opens the direct conversation with its partner.
 */
export interface PairSetup {
  readonly senders: { conn: number; conversationId: string; senderIdx: number }[];
}

export async function setupPairs(s: TargetSession, users: number, senders: number): Promise<PairSetup | TargetOutcome> {
  const pairs = Math.floor(users / 2);
  const nSenders = Math.min(senders, pairs);
  const pool = await s.pool.ensure(pairs * 2);
  const c = await connectUsers(s, pool, 'bench');
  if (c.failed > 0) return failed(`${c.failed} of ${pool.length} connections failed: ${JSON.stringify(c.errors)}`);
  s.log(`connected ${pool.length} users in ${c.ms} ms`);
  const calls = Array.from({ length: nSenders }, (_, p) => ({
    conn: c.conns[2 * p]!,
    init: { body: { case: 'openDirect' as const, value: { userId: pool[2 * p + 1]!.userId } } },
  }));
  const replies = await s.fleet.rpc(calls, 50, 15_000);
  if (replies.some(isUnknownOperation)) return skipped('server lacks direct conversations (openDirect: UNKNOWN_OPERATION)');
  const out: PairSetup['senders'] = [];
  for (let p = 0; p < replies.length; p++) {
    const r = replies[p]!;
    const cid = !(r instanceof Error) && r.body.case === 'conversationInfo' ? r.body.value.conversation?.conversationId : undefined;
    if (!cid) return failed(`openDirect failed: ${errorName(r) ?? 'no conversation id'}`);
    out.push({ conn: calls[p]!.conn, conversationId: cid, senderIdx: p });
  }
  return { senders: out };
}
