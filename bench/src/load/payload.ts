/**
 * The bench payload carried in Custom{kind:'bench', data}. The sender stamps
 * the time the message was *scheduled* (not when it actually left), so a
 * sender that falls behind still shows up as latency instead of being hidden
 * (coordinated omission). runId keeps a late message from an earlier sweep
 * step out of the next step's figures.
 */

export const BENCH_KIND = 'bench';
const STAMP_BYTES = 20;

export interface BenchStamp {
  /** Scheduled send time, nowMs() clock. */
  readonly sentAt: number;
  readonly runId: number;
  /** Index of the sender within the run. */
  readonly senderIdx: number;
  /** Per-sender message counter, 0, 1, 2, ... */
  readonly seq: number;
}

export function encodeStamp(s: BenchStamp): Uint8Array {
  const out = new Uint8Array(STAMP_BYTES);
  const v = new DataView(out.buffer);
  v.setFloat64(0, s.sentAt);
  v.setUint32(8, s.runId);
  v.setUint32(12, s.senderIdx);
  v.setUint32(16, s.seq);
  return out;
}

export function decodeStamp(data: Uint8Array): BenchStamp | undefined {
  if (data.length !== STAMP_BYTES) return undefined;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { sentAt: v.getFloat64(0), runId: v.getUint32(8), senderIdx: v.getUint32(12), seq: v.getUint32(16) };
}

/**
 * Text payload (bench --payload text): the stamp in base64 (28 ASCII
 * characters) followed by a chat-like sentence of ~40 characters, Chinese and
 * English, so the server's text paths (the sensitive-word filter, search
 * indexing) do their real work. The receiver reads the stamp back from the
 * first 28 bytes of the pushed text.
 */
const TEXT_STAMP_CHARS = 28;
const SENTENCES = [
  '今天晚上一起吃饭吗？see you at the station at 7',
  '这个价格可以再便宜一点吗 the meeting moved to Friday',
  '我已经到了，你在哪里？ok 👍 等你一下就好',
  'did you get the files? 文件我已经发到群里了',
].map((s) => Buffer.from(` ${s}`));

export function encodeTextStamp(s: BenchStamp): Uint8Array {
  const sentence = SENTENCES[s.seq % SENTENCES.length]!;
  const out = Buffer.allocUnsafe(TEXT_STAMP_CHARS + sentence.length);
  out.write(Buffer.from(encodeStamp(s)).toString('base64'), 0, 'latin1');
  sentence.copy(out, TEXT_STAMP_CHARS);
  return out;
}

export function decodeTextStamp(text: Uint8Array): BenchStamp | undefined {
  if (text.length < TEXT_STAMP_CHARS) return undefined;
  const raw = Buffer.from(Buffer.from(text.buffer, text.byteOffset, TEXT_STAMP_CHARS).toString('latin1'), 'base64');
  return decodeStamp(raw);
}

/** The stamp's fields read in place from a frame (W4 reads hundreds per frame): view offset `at`, length `len`. */
export function isStamp(len: number): boolean {
  return len === STAMP_BYTES;
}
export const stampSentAt = (v: DataView, at: number): number => v.getFloat64(at);
export const stampRunId = (v: DataView, at: number): number => v.getUint32(at + 8);
