import { create, MessageSchema, type Message } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { emptyTimeline, mergeMessages, oldestSeq, receiptFor, withDelivered, withHistoryPage, withPending, withPendingFailed } from '../src/state/timeline.js';

function msg(seq: number, clientMsgId = ''): Message {
  return create(MessageSchema, { id: String(1000 + seq), conversationId: '7', seq, senderId: '1', clientMsgId, content: { kind: { case: 'text', value: { text: `m${seq}` } } } });
}

const seqs = (list: readonly Message[]) => list.map((m) => m.seq);

describe('timeline', () => {
  it('merges by seq: ordered, each seq once, whichever path delivered it', () => {
    const a = mergeMessages([], [msg(3), msg(1)]);
    expect(seqs(a)).toEqual([1, 3]);
    const b = mergeMessages(a, [msg(2), msg(3), msg(4)]);
    expect(seqs(b)).toEqual([1, 2, 3, 4]);
    // Nothing new: the same array comes back, so stores do not re-render.
    expect(mergeMessages(b, [msg(2)])).toBe(b);
  });

  it('a history page (newest first) lands in order and says whether older pages exist', () => {
    let t = withHistoryPage(emptyTimeline(), [msg(20), msg(19), msg(18)], true, true);
    expect(seqs(t.messages)).toEqual([18, 19, 20]);
    expect(t.loaded).toBe(true);
    expect(t.hasMore).toBe(true);
    expect(oldestSeq(t)).toBe(18);
    // Live messages delivered meanwhile are kept; the next page goes below them.
    t = withDelivered(t, msg(21));
    t = withHistoryPage(t, [msg(17), msg(16)], true, false);
    expect(seqs(t.messages)).toEqual([16, 17, 18, 19, 20, 21]);
    // Seq 1 is the first message ever: no more pages even if the server says so.
    t = withHistoryPage(t, [msg(1)], true, false);
    expect(t.hasMore).toBe(false);
  });

  it('a pending send disappears when its message is delivered, not before', () => {
    let t = withPending(emptyTimeline(), { clientMsgId: 'c1', content: { kind: { case: 'text', value: { text: 'hi' } } }, status: 'sending' });
    t = withDelivered(t, msg(5, 'other'));
    expect(t.pending).toHaveLength(1);
    t = withPendingFailed(t, 'c1', 'offline');
    expect(t.pending[0]?.status).toBe('failed');
    t = withDelivered(t, msg(6, 'c1'));
    expect(t.pending).toHaveLength(0);
    expect(seqs(t.messages)).toEqual([5, 6]);
  });

  it('read receipts: ✓✓ once the peer read up to the message', () => {
    expect(receiptFor(4, 3)).toBe('sent');
    expect(receiptFor(4, 4)).toBe('read');
    expect(receiptFor(4, 9)).toBe('read');
    expect(receiptFor(0, 9)).toBe('sent');
  });
});
