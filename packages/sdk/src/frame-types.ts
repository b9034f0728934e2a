/**
 * Type helpers over the generated Frame oneof, so requests and replies are
 * typed by their case name without importing @bufbuild/protobuf directly.
 */
import type { Frame, FrameCase, FrameInit } from '@xinbox/protocol';

/** The decoded body of a frame of the given case. */
export type BodyOf<C extends FrameCase> = Extract<Frame['body'], { case: C }>['value'];

/** The init shape of a frame body (what a request is built from). */
export type BodyInit = Extract<NonNullable<FrameInit['body']>, { case: FrameCase }>;

/** Init shape of the body of a given case. */
export type InitOf<C extends FrameCase> = Extract<BodyInit, { case: C }>['value'];

/** Message content as accepted by send(): the Content init shape. */
export type ContentInit = NonNullable<InitOf<'send'>['content']>;
