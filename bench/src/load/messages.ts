/**
 * IPC between the bench parent and its load processes. Frames travel as
 * protobuf-JSON strings (frameToJson/frameFromJson) so nothing depends on
 * structured-clone details; histograms travel HDR-encoded (base64).
 */

export interface ConnSpec {
  readonly userId: string;
  readonly token: string;
  readonly url: string;
  readonly localAddress: string;
  /** Raw TCP instead of the WebSocket at `url` (bench --transport tcp; protocol.md 2.3). */
  readonly tcp?: { readonly host: string; readonly port: number };
  /** Offer permessage-deflate (bench --ws-deflate). */
  readonly deflate?: boolean;
}

export interface SenderSpec {
  /** Worker-local connection index. */
  readonly conn: number;
  readonly conversationId: string;
  /** Run-wide index of this sender (goes into the payload stamp). */
  readonly senderIdx: number;
}

export interface RunSpec {
  readonly runId: number;
  /** nowMs() clock. Every worker starts its schedule here. */
  readonly startAt: number;
  readonly durationMs: number;
  /** Latencies of messages scheduled before startAt + warmupMs are not recorded (still counted for loss). */
  readonly warmupMs: number;
  /** Offered rate of this worker's senders together, messages per second. */
  readonly ratePerSec: number;
  readonly senders: readonly SenderSpec[];
  /** Keep the slowest recipient latency of every message (fan-out completion). */
  readonly trackPerMessage: boolean;
  /** Send Text content (stamp + sentence) instead of Custom{kind:'bench'} (bench --payload text). */
  readonly textPayload: boolean;
}

export type Command =
  | { readonly kind: 'connect'; readonly conns: readonly ConnSpec[]; readonly concurrency: number; readonly timeoutMs: number }
  | { readonly kind: 'rpc'; readonly calls: readonly { readonly conn: number; readonly frameJson: string }[]; readonly concurrency: number; readonly timeoutMs: number }
  | { readonly kind: 'run'; readonly run: RunSpec }
  | { readonly kind: 'collect'; readonly runId: number }
  | { readonly kind: 'status' }
  | { readonly kind: 'setPing'; readonly intervalMs: number | null }
  | { readonly kind: 'closeAll' }
  | { readonly kind: 'roomRun'; readonly run: RoomRunSpec }
  | { readonly kind: 'roomLive'; readonly runId: number }
  | { readonly kind: 'roomCollect'; readonly runId: number };

export interface ToWorker {
  readonly reqId: number;
  readonly cmd: Command;
}

export interface ConnectReply {
  /** '1' per connection that authenticated, '0' per failure, in request order. */
  readonly status: string;
  readonly firstLocal: number;
  readonly ms: number;
  readonly errors: Record<string, number>;
  readonly pingIntervalMs: number;
}

export interface RpcReply {
  /** Reply frame as protobuf JSON, or null when the call failed (see errors[i]). */
  readonly frames: (string | null)[];
  readonly errors: (string | null)[];
}

export interface StatusReply {
  readonly open: number;
  readonly closed: number;
  readonly closeCodes: Record<string, number>;
  readonly pingsSent: number;
  readonly pongs: number;
}

export interface LiveStats {
  readonly runId: number;
  readonly sent: number;
  readonly acked: number;
  readonly failed: number;
  readonly received: number;
  readonly scheduleLagMaxMs: number;
  /** Every scheduled send of this process has gone out, so `sent` is final. */
  readonly done: boolean;
}

export interface RunResult extends LiveStats {
  readonly sendErrors: Record<string, number>;
  readonly unacked: number;
  readonly receivedInWindow: number;
  readonly duplicates: number;
  readonly stale: number;
  readonly latency: string;
  readonly ackLatency: string;
  /** [senderIdx * 2^24 + seq, slowest recipient latency in us] */
  readonly perMessage: readonly (readonly [number, number])[];
  readonly loopDelayMaxMs: number;
  readonly loopDelayP99Ms: number;
}

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'reply'; readonly reqId: number; readonly ok: true; readonly body: unknown }
  | { readonly type: 'reply'; readonly reqId: number; readonly ok: false; readonly error: string }
  | { readonly type: 'stats'; readonly stats: LiveStats };

export const PER_MESSAGE_KEY_SEQ_BITS = 16_777_216;

/** One scheduled RoomSend of a W4 run. */
export interface RoomSendPlan {
  /** Worker-local connection index (global in FleetRoomRun). */
  readonly conn: number;
  /** Scheduled send time, nowMs() clock; goes into the stamp. */
  readonly at: number;
  readonly senderIdx: number;
  /** Per-sender counter within the run. */
  readonly seq: number;
  readonly reliable: boolean;
}

/** A named time window of a room run: latency by scheduled time, delivery rate by arrival time. */
export interface RoomPhase {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

export interface RoomRunSpec {
  readonly runId: number;
  readonly roomId: string;
  readonly startAt: number;
  /** Latencies of messages scheduled before startAt + warmupMs are not recorded (still counted). */
  readonly warmupMs: number;
  readonly phases: readonly RoomPhase[];
  /** This process's sends, ascending `at`. */
  readonly sends: readonly RoomSendPlan[];
}

export interface RoomLiveStats {
  readonly runId: number;
  readonly sent: number;
  /** Ordinary sends answered Ok plus reliable sends answered SendAck. */
  readonly acked: number;
  readonly reliableAcked: number;
  readonly failed: number;
  readonly ordinaryReceived: number;
  readonly reliableReceived: number;
}

export interface RoomPhaseResult {
  /** Sends scheduled in the phase, by class, and how many were accepted. */
  readonly ordinarySent: number;
  readonly ordinaryAcked: number;
  readonly reliableSent: number;
  readonly reliableAcked: number;
  /** Deliveries of ordinary messages scheduled in the phase (whenever they arrived). */
  readonly ordinaryReceived: number;
  /** Deliveries (both classes) that arrived inside the phase window. */
  readonly arrivedInWindow: number;
  /** Ordinary-message latency (HDR, base64) by scheduled time. */
  readonly latency: string;
}

export interface RoomRunResult extends RoomLiveStats {
  readonly sendErrors: Record<string, number>;
  readonly unacked: number;
  readonly reliableDuplicates: number;
  readonly stale: number;
  readonly phases: Record<string, RoomPhaseResult>;
  readonly reliableLatency: string;
  readonly reliableAckLatency: string;
  /** Connections of this process that joined the room. */
  readonly joined: number;
  /** Distinct reliable messages of this run per joined connection: count -> connections. */
  readonly reliablePerConn: Record<string, number>;
  /** Ordinary deliveries per joined connection: min and max. */
  readonly ordinaryPerConnMin: number;
  readonly ordinaryPerConnMax: number;
  readonly roomEvents: number;
  readonly scheduleLagMaxMs: number;
  readonly loopDelayMaxMs: number;
  readonly loopDelayP99Ms: number;
}
