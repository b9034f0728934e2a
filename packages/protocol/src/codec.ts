import { create, fromBinary, toBinary, fromJsonString, toJsonString } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { FrameSchema, type Frame } from './gen/xinbox/v1/xinbox_pb.js';

/** WebSocket subprotocols. */
export const SUBPROTOCOL_PROTO = 'xinbox.v1.proto';
export const SUBPROTOCOL_JSON = 'xinbox.v1.json';

/** Bytes of the big-endian length prefix in front of every binary frame. */
export const LENGTH_PREFIX_BYTES = 4;

export type FrameInit = MessageInitShape<typeof FrameSchema>;
export type FrameCase = NonNullable<Frame['body']['case']>;

export function frame(init: FrameInit): Frame {
  return create(FrameSchema, init);
}

export function encodeFrame(f: Frame | FrameInit): Uint8Array {
  const msg = (f as Frame).$typeName === 'xinbox.v1.Frame' ? (f as Frame) : create(FrameSchema, f as FrameInit);
  return toBinary(FrameSchema, msg);
}

/** Decode one frame body (no length prefix). Throws on malformed bytes. */
export function decodeFrame(bytes: Uint8Array): Frame {
  return fromBinary(FrameSchema, bytes);
}

export function frameToJson(f: Frame): string {
  return toJsonString(FrameSchema, f);
}

/** Parse the protobuf JSON mapping of a Frame. Throws on malformed input. */
export function frameFromJson(text: string): Frame {
  return fromJsonString(FrameSchema, text);
}

/** Prefix one encoded frame with its 4-byte big-endian length. */
export function withLengthPrefix(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, LENGTH_PREFIX_BYTES);
  return out;
}

/** Join already-prefixed frames into one buffer (one write, one WS message). */
export function joinChunks(chunks: readonly Uint8Array[], totalBytes?: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let total = totalBytes ?? 0;
  if (totalBytes === undefined) for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export class FrameSizeError extends Error {
  constructor(readonly size: number, readonly max: number) {
    super(`frame of ${size} bytes exceeds the maximum of ${max}`);
    this.name = 'FrameSizeError';
  }
}

/**
 * Split one buffer holding whole length-prefixed frames (a WebSocket binary
 * message). Throws FrameSizeError for an oversized frame and RangeError when
 * the buffer ends inside a frame.
 */
export function splitFrames(buf: Uint8Array, maxFrameBytes: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < LENGTH_PREFIX_BYTES) throw new RangeError('truncated length prefix');
    // Big-endian uint32 read by hand: a DataView per WebSocket message was an object and a typed-array construction per send.
    const len = (buf[at]! * 0x1000000) + ((buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!);
    if (len > maxFrameBytes) throw new FrameSizeError(len, maxFrameBytes);
    at += LENGTH_PREFIX_BYTES;
    if (buf.length - at < len) throw new RangeError('truncated frame');
    out.push(buf.subarray(at, at + len));
    at += len;
  }
  return out;
}

/**
 * Incremental splitter for a byte stream (TCP). Feed chunks as they arrive;
 * get back every complete frame body. Memory is bounded by maxFrameBytes: an
 * oversized length prefix throws before any of its body is buffered.
 */
export class FrameStreamDecoder {
  private buf: Uint8Array = new Uint8Array(0);

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Uint8Array): Uint8Array[] {
    let data = this.buf.length === 0 ? chunk : concat2(this.buf, chunk);
    const out: Uint8Array[] = [];
    let at = 0;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    while (data.length - at >= LENGTH_PREFIX_BYTES) {
      const len = view.getUint32(at);
      if (len > this.maxFrameBytes) throw new FrameSizeError(len, this.maxFrameBytes);
      if (data.length - at - LENGTH_PREFIX_BYTES < len) break;
      at += LENGTH_PREFIX_BYTES;
      out.push(data.subarray(at, at + len));
      at += len;
    }
    // Copy the remainder so a retained tail does not pin a large chunk.
    data = data.subarray(at);
    this.buf = data.length === 0 ? new Uint8Array(0) : data.slice();
    return out;
  }

  get bufferedBytes(): number {
    return this.buf.length;
  }
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
