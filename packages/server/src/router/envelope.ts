/**
 * The inter-node message format on the Bus: one type byte, a JSON header and
 * an opaque binary payload (usually encoded frames, passed through untouched).
 *
 *   [type u8][header length u32 BE][header: UTF-8 JSON][payload]
 */
export const enum EnvelopeType {
  /** Gateway -> logic: a client request to execute. */
  Request = 1,
  /** Logic -> gateway: the reply frame for a request. */
  Reply = 2,
  /** Any -> gateway: frames for users' devices. */
  Deliver = 3,
  /** Any -> all: a frame for a read-fan-out conversation's audience. */
  Audience = 4,
  /** Any -> all: a control event (JSON header only). */
  Event = 5,
  /** Any -> all gateways: one tick of a live room's messages (encoded RoomMessages, concatenated). */
  RoomBatch = 6,
}

export interface Envelope {
  readonly type: EnvelopeType;
  readonly header: unknown;
  readonly payload: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEnvelope(type: EnvelopeType, header: unknown, payload: Uint8Array = EMPTY): Uint8Array {
  const h = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(5 + h.length + payload.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, h.length);
  out.set(h, 5);
  out.set(payload, 5 + h.length);
  return out;
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length < 5) throw new RangeError('envelope too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(1);
  if (5 + len > bytes.length) throw new RangeError('envelope header truncated');
  return {
    type: bytes[0] as EnvelopeType,
    header: JSON.parse(decoder.decode(bytes.subarray(5, 5 + len))),
    payload: bytes.subarray(5 + len),
  };
}

const EMPTY = new Uint8Array(0);

/** Topic names on the Bus. */
export const Topics = {
  node: (nodeId: string) => `node.${nodeId}`,
  broadcast: 'broadcast',
} as const;
