/**
 * What the connection layer needs from a byte transport. Framing differs per
 * transport (length-prefixed protobuf over WebSocket or TCP, one JSON frame
 * per WebSocket text message), so encoding lives in the transport too:
 * encode() runs when a request is made (an oversized frame fails that request
 * alone), write() sends a tick's worth of encoded frames together.
 */
import type { Frame } from '@xinbox/protocol';

export type EncodedFrame = Uint8Array | string;

export interface CloseInfo {
  /** WebSocket close code; undefined when the transport has none (TCP, network loss). */
  readonly code: number | undefined;
  readonly reason: string;
  readonly error?: Error;
}

export interface TransportHandlers {
  onFrame(frame: Frame): void;
  /** Called exactly once, whoever closed. */
  onClose(info: CloseInfo): void;
}

export interface FrameTransport {
  /** Throws FrameSizeError when the frame exceeds the maximum frame size. */
  encode(frame: Frame): EncodedFrame;
  write(frames: readonly EncodedFrame[]): void;
  close(code?: number, reason?: string): void;
}

/** Closes a transport that reports a local decode failure. */
export const LOCAL_PROTOCOL_ERROR = 4006;
export const LOCAL_FRAME_TOO_LARGE = 4007;
