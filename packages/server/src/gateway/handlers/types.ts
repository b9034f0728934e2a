import type { Frame, FrameInit } from '@xinbox/protocol';
import type { Connection } from '../connection.js';
import type { Caller } from '../../core/messaging/send-types.js';

/** The reply body of a request, as a Frame oneof case. Undefined: the request has no reply. */
export type ReplyBody = FrameInit['body'] | undefined;

export interface RequestContext {
  /** The client connection; absent when a logic node runs a request forwarded by a gateway. */
  readonly conn?: Connection;
  readonly caller: Caller;
}

/** Handles one kind of client frame after authentication. */
export type Handler<T = unknown> = (ctx: RequestContext, value: T) => Promise<ReplyBody> | ReplyBody;

type BodyCase = NonNullable<Frame['body']['case']>;
type BodyValue<C extends BodyCase> = Extract<Frame['body'], { case: C }>['value'];

/** Handlers keyed by the frame body case they accept. */
export type HandlerTable = { [C in BodyCase]?: Handler<BodyValue<C>> };
