/**
 * Where the core reports things a customer's backend may want to hear about
 * (webhooks, the event log). The core calls `emit` and moves on: the sink
 * must not throw and must not block (it buffers and persists on its own).
 *
 * Types are dotted names: `message.sent`, `user.online`, `group.created`,
 * `room.closed`, `moderation.*` (reserved for moderation features). The
 * order key groups events that must arrive in order (`conversation:<id>`,
 * `user:<id>`, `room:<id>`).
 */
export interface PlatformEvents {
  emit(type: string, orderKey: string, data: Record<string, unknown>): void;
}

/** A sink that drops everything (no webhooks configured). */
export const noPlatformEvents: PlatformEvents = Object.freeze({ emit: () => undefined });
