import { Limits, type Frame } from '@xinbox/protocol';
import { connectUsers, errorName, isUnknownOperation } from './common.js';
import { failed, skipped, type TargetOutcome, type TargetSession } from './types.js';
import { sleep } from '../time.js';

/**
 * W2 setup: `size` users all online; user 0 creates the group with the others
 * as members (GroupCreate, then GroupInvite for ids beyond one request's
 * limit) and is the sender.
 */
export interface GroupSetup {
  readonly senderConn: number;
  readonly conversationId: string;
  readonly members: number;
}

export const LACKS_GROUPS = 'server lacks groups';

export async function setupGroup(s: TargetSession, size: number): Promise<GroupSetup | TargetOutcome> {
  const users = await s.pool.ensure(size);
  const c = await connectUsers(s, users, 'bench');
  if (c.failed > 0) return failed(`${c.failed} of ${users.length} connections failed: ${JSON.stringify(c.errors)}`);
  s.log(`group ${size}: connected ${users.length} members in ${c.ms} ms`);
  const owner = c.conns[0]!;
  const others = users.slice(1).map((u) => u.userId);
  const chunk = Limits.maxIdsPerRequest;
  const [create] = await s.fleet.rpc([{ conn: owner, init: { body: { case: 'groupCreate', value: { name: `bench-${size}`, memberIds: others.slice(0, chunk) } } } }], 1, 60_000);
  if (isUnknownOperation(create!)) return skipped(LACKS_GROUPS);
  const conversationId = groupId(create!);
  if (!conversationId) return failed(`groupCreate failed: ${errorName(create!) ?? 'no conversation id'}`);
  for (let at = chunk; at < others.length; at += chunk) {
    const [r] = await s.fleet.rpc([{ conn: owner, init: { body: { case: 'groupInvite', value: { conversationId, userIds: others.slice(at, at + chunk) } } } }], 1, 60_000);
    const err = errorName(r!);
    if (err) return failed(`groupInvite (members ${at}..${at + chunk}) failed: ${err}`);
  }
  // Membership notices fan out to everyone; let them drain before measuring.
  await sleep(s.opts.quick ? 200 : 2000);
  return { senderConn: owner, conversationId, members: users.length };
}

function groupId(f: Frame | Error): string | undefined {
  if (f instanceof Error || f.body.case !== 'groupInfo') return undefined;
  return f.body.value.group?.conversationId || undefined;
}
