/**
 * Micro-benchmark of what a logic node does with a forwarded Send before the
 * send pipeline (issue 12 item 8), old path against new, A/B in one process:
 *  - before: decodeFrame (protobuf-es, reflection) -> parse the string ids ->
 *    validateContent, which re-encodes the decoded Content -> generic SendAck reply;
 *  - after: decodeHotFrame (hand-written) -> validateSend, which checks the
 *    content bytes and keeps them -> encodeSendAckFrame.
 * Storage and the pipeline are left out: they are the same on both paths.
 *
 *   node --conditions=@xinbox/source --import tsx scripts/bench-logic-send.ts [iterations]
 */
import { decodeFrame, decodeHotFrame, encodeFrame, encodeSendAckFrame, withLengthPrefix, type FrameInit } from '@xinbox/protocol';
import { validateContent } from '../packages/server/src/core/messaging/content.js';
import { validateSend } from '../packages/server/src/core/messaging/send-input.js';
import { parseId, parseIds } from '../packages/server/src/gateway/handlers/ids.js';

const send: FrameInit = {
  id: 4711,
  body: { case: 'send', value: { conversationId: '123456789', clientMsgId: 'c-0123456789abcdef', content: { kind: { case: 'text', value: { text: 'hello, 你好 👋 '.repeat(8) } } } } },
};
const bytes = encodeFrame(send);
const ack = { messageId: '7331234567890123456', conversationId: 123456789, seq: 42, serverTime: 1_763_800_000_123, clientMsgId: 'c-0123456789abcdef', duplicate: false };
let sink = 0;

function before(): void {
  const frame = decodeFrame(bytes);
  if (frame.body.case !== 'send') throw new Error('not a send');
  const v = frame.body.value;
  const req = { conversationId: parseId(v.conversationId, 'conversationId'), content: validateContent(v.content), mentions: parseIds(v.mentions, 'mentions') };
  const reply = withLengthPrefix(encodeFrame({ id: frame.id, body: { case: 'sendAck', value: { ...ack, conversationId: String(ack.conversationId) } } }));
  sink += req.content.length + reply.length;
}

function after(): void {
  const hot = decodeHotFrame(bytes);
  if (hot?.kind !== 'send') throw new Error('not a send');
  const req = validateSend(hot);
  const reply = encodeSendAckFrame(hot.id, ack);
  sink += req.content.length + reply.length;
}

function nsPerOp(fn: () => void, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / n;
}

const n = Number(process.argv[2] ?? 50_000);
nsPerOp(before, n / 5);
nsPerOp(after, n / 5);
const a: number[] = [];
const b: number[] = [];
for (let round = 0; round < 7; round++) {
  b.push(nsPerOp(before, n));
  a.push(nsPerOp(after, n));
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
console.log(`logic-side Send handling, ${n} ops x 7 rounds alternating (median ns/op; min-max):`);
console.log(`  before (decodeFrame + validateContent re-encode + generic reply): ${median(b).toFixed(0)} (${Math.min(...b).toFixed(0)}-${Math.max(...b).toFixed(0)})`);
console.log(`  after  (decodeHotFrame + validateSend, bytes kept + hot reply):   ${median(a).toFixed(0)} (${Math.min(...a).toFixed(0)}-${Math.max(...a).toFixed(0)})`);
console.log(`  ratio after/before: ${(median(a) / median(b)).toFixed(2)}${sink < 0 ? '' : ''}`);
