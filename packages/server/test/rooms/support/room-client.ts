import { RoomAdminAction, RoomMessageClass, type Frame, type RoomEvent, type RoomMessage } from '@xinbox/protocol';
import type { RawClient } from '../../support/raw-client.js';
import { text } from '../../support/raw-client.js';
import { waitFor } from '../../support/wait-for.js';

/** Thin room-protocol helpers over RawClient: tests see exactly what the server sends. */

export function errorName(f: Frame): string | undefined {
  return f.body.case === 'error' ? f.body.value.name : undefined;
}

export async function admin(c: RawClient, roomId: string, action: RoomAdminAction, extra: { userId?: string; until?: number; text?: string } = {}): Promise<Frame> {
  return c.request({
    case: 'roomAdmin',
    value: { roomId, action, userId: extra.userId ?? '0', until: extra.until ?? 0, content: extra.text === undefined ? undefined : text(extra.text) },
  });
}

export async function createRoom(c: RawClient, roomId: string): Promise<void> {
  const r = await admin(c, roomId, RoomAdminAction.CREATE);
  if (r.body.case !== 'ok') throw new Error(`create failed: ${JSON.stringify(r.body.value)}`);
}

export function join(c: RawClient, roomId: string, afterSeq = 0): Promise<Frame> {
  return c.request({ case: 'roomJoin', value: { roomId, afterSeq } });
}

export async function joined(c: RawClient, roomId: string, afterSeq = 0) {
  const r = await join(c, roomId, afterSeq);
  if (r.body.case !== 'roomJoined') throw new Error(`join failed: ${JSON.stringify(r.body.value)}`);
  return r.body.value;
}

export function send(c: RawClient, roomId: string, body: string, opts: { reliable?: boolean; clientMsgId?: string } = {}): Promise<Frame> {
  return c.request({
    case: 'roomSend',
    value: { roomId, class: opts.reliable ? RoomMessageClass.RELIABLE : RoomMessageClass.ORDINARY, content: text(body), clientMsgId: opts.clientMsgId ?? '' },
  });
}

export function ack(c: RawClient, roomId: string, seq: number): void {
  c.send({ body: { case: 'roomPushAck', value: { roomId, seq } } });
}

/** Every room message received so far (all RoomPush frames, flattened, in arrival order). */
export function roomMessages(c: RawClient, roomId: string): RoomMessage[] {
  const out: RoomMessage[] = [];
  for (const f of c.frames) if (f.body.case === 'roomPush') for (const m of f.body.value.messages) if (m.roomId === roomId) out.push(m);
  return out;
}

export function textOf(m: RoomMessage): string {
  return m.content?.kind.case === 'text' ? m.content.kind.value.text : '';
}

export function roomEvents(c: RawClient, roomId: string, kind?: string): RoomEvent[] {
  const out: RoomEvent[] = [];
  for (const f of c.frames) if (f.body.case === 'roomEvent' && f.body.value.roomId === roomId && (!kind || f.body.value.kind === kind)) out.push(f.body.value);
  return out;
}

export function waitForMessages(c: RawClient, roomId: string, what: string, check: (list: RoomMessage[]) => boolean, timeoutMs = 5000): Promise<RoomMessage[]> {
  return waitFor(what, () => {
    const list = roomMessages(c, roomId);
    return check(list) ? list : undefined;
  }, timeoutMs, 10);
}

export function waitForEvent(c: RawClient, roomId: string, kind: string, check: (e: RoomEvent) => boolean = () => true, timeoutMs = 5000): Promise<RoomEvent> {
  return waitFor(`room event ${kind}`, () => roomEvents(c, roomId, kind).find(check), timeoutMs, 10);
}

let roomCounter = 0;
export function roomName(prefix = 'room'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++roomCounter}`;
}
