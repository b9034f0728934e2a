import type { UserId } from '../model.js';

/** What happened to a user's device (seed 004's event log). */
export type UserEventType = 'login' | 'logout' | 'connect' | 'disconnect';
export const USER_EVENT_TYPES: readonly UserEventType[] = ['login', 'logout', 'connect', 'disconnect'];

export interface NewUserEvent {
  readonly userId: UserId;
  readonly deviceId: string;
  readonly type: UserEventType;
  /** ms since the epoch. */
  readonly at: number;
  readonly platform: string;
  /** The client's address as the node saw it ('' when unknown). */
  readonly ip: string;
  readonly nodeId: string;
  /** Why, where it matters: a logout's reason, a close code. */
  readonly detail: string;
}

export interface UserEvent extends NewUserEvent {
  /** Increases with every appended event (the paging cursor), as a decimal string. */
  readonly id: string;
}

export interface EventQuery {
  readonly userId?: UserId;
  readonly deviceId?: string;
  readonly types?: readonly UserEventType[];
  /** Events with `at` >= fromTime and < toTime (0 = unbounded). */
  readonly fromTime?: number;
  readonly toTime?: number;
  /** Events after this id (the last id of the previous page); '' or absent = from the oldest. */
  readonly afterId?: string;
  readonly limit: number;
}

/**
 * The user event log: login, logout, connection open and close per user and
 * device, kept for a retention period.
 *
 * Contract (test/contracts/event-log.contract.ts):
 * - `append` stores every event of the call; ids grow in append order, so
 *   paging by `afterId` never repeats an event. With several writers
 *   (PostgreSQL, a cluster) a batch committing while a page is read may get
 *   ids below that page's last one: a reader that must see every event pages
 *   with `toTime` a few seconds in the past.
 * - `query` answers in id order, filtered by every given field, at most `limit`.
 * - `prune` deletes events with `at` < before, at most `limit` per call, and
 *   says how many.
 */
export interface EventLogStore {
  append(events: readonly NewUserEvent[]): Promise<void>;
  query(q: EventQuery): Promise<UserEvent[]>;
  prune(before: number, limit: number): Promise<number>;
}
