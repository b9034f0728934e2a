import { connectUsers, isUnknownOperation } from './common.js';
import { skipped, type TargetOutcome, type TargetSession, type Workload } from './types.js';

/**
 * W4: room broadcast (live-stream style audience). A stub until rooms exist
 * (issue #7): it probes RoomJoin and reports the workload as skipped. The
 * rooms issue will fill in the run: N audience connections join one room,
 * senders RoomSend ordinary and reliable messages at a fixed rate, latency is
 * measured from the stamp in each RoomMessage's content, and RoomPush merges
 * several messages per frame, so receivers must iterate RoomPush.messages.
 */
export const ROOMS_PENDING = 'skipped until rooms exist';

export const w4: Workload = {
  id: 'w4',
  title: 'W4 room broadcast',
  description: 'Room broadcast to a large audience (RoomJoin/RoomSend). Not measured yet: waits for rooms (issue #7).',
  headline: 'deliveredPerSec',
  config: () => ({ pending: 'issue #7' }),
  async run(s: TargetSession): Promise<TargetOutcome> {
    const [user] = await s.pool.ensure(1);
    const c = await connectUsers(s, [user!], 'bench');
    if (c.failed > 0) return skipped(ROOMS_PENDING);
    const [reply] = await s.fleet.rpc([{ conn: c.conns[0]!, init: { body: { case: 'roomJoin', value: { roomId: 'bench-w4' } } } }], 1, 10_000);
    const probe = isUnknownOperation(reply!) ? 'server answers RoomJoin with UNKNOWN_OPERATION' : 'RoomJoin answered; workload not written yet';
    await s.fleet.closeAll();
    return { ...skipped(ROOMS_PENDING), notes: [probe] };
  },
};
