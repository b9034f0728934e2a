import { afterEach, beforeEach } from 'vitest';
import type { ConversationId, StoredMessage, UserId } from '../../src/core/model.js';
import type { AppendItem, ConversationStore, IdentityStore, MessageStore } from '../../src/core/ports/index.js';

/**
 * Shared plumbing for the port contract suites.
 *
 * A suite receives a factory returning the ports it needs plus close(). The
 * factory may return `openPeer`: a second handle on the SAME backing storage
 * (another connection / client, as a second process would open it). Suites
 * use it, when present, to run concurrent calls through two handles.
 *
 * Suites never assume an empty store: every test makes its own users,
 * usernames, topics and ids (unique per run), so one shared database can
 * serve every test and every run.
 */
export interface Closable {
  close(): Promise<void>;
}

/**
 * P: the ports under test. S: settings the suite needs to know (a TTL, a way
 * to let time pass); a peer handle only has to provide the ports.
 */
export type Fixture<P, S = unknown> = P & S & Closable & {
  /** Another handle on the same storage; closed by the suite. */
  openPeer?: () => Promise<P & Closable>;
};

export type FixtureFactory<P, S = unknown> = () => Promise<Fixture<P, S>>;

export interface FixtureContext<P, S = unknown> {
  /** The fixture of the running test. */
  readonly stores: () => Fixture<P, S>;
  /** A peer handle if the factory offers one (closed after the test), else null. */
  readonly peer: () => Promise<(P & Closable) | null>;
  /** Runs `cleanup` after the running test, before its peers and fixture close. */
  readonly defer: (cleanup: () => Promise<void>) => void;
}

/** Opens a fresh fixture before each test and closes it (and any peers) after. */
export function useFixture<P, S = unknown>(makeStores: FixtureFactory<P, S>): FixtureContext<P, S> {
  let current: Fixture<P, S> | null = null;
  const peers: Closable[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    current = await makeStores();
  });
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
    while (peers.length > 0) await peers.pop()!.close();
    await current?.close();
    current = null;
  });
  return {
    stores: () => {
      if (!current) throw new Error('fixture used outside a test');
      return current;
    },
    peer: async () => {
      const opener = current?.openPeer;
      if (!opener) return null;
      const peer = await opener();
      peers.push(peer);
      return peer;
    },
    defer: (cleanup) => {
      cleanups.push(cleanup);
    },
  };
}

const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let counter = 0;

/** A string unique to this run and call: usernames, session ids, topics, holders. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${runTag}-${counter}`;
}

let numberBase = Math.floor(Math.random() * 2 ** 30) * 1000 + 1;
/** A positive safe integer unique to this run, for ports keyed by user ids that need no registration. */
export function uniqueUserId(): UserId {
  numberBase += 1;
  return numberBase;
}

let snowflakeBase = (BigInt(Date.now()) << 22n) + BigInt(Math.floor(Math.random() * 2 ** 21));
/** A message id shaped like a real snowflake: a 63-bit decimal string, well above 2^53. */
export function nextMessageId(): string {
  snowflakeBase += 1n;
  return snowflakeBase.toString();
}

/** Resolves once `check` holds; fails after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Registers `count` fresh users and returns their ids. */
export async function createUsers(identity: IdentityStore, count: number, now = Date.now()): Promise<UserId[]> {
  const ids: UserId[] = [];
  for (let i = 0; i < count; i++) {
    const user = await identity.createUser(uniqueName('user'), 'hash', now);
    if (!user) throw new Error('could not create a test user');
    ids.push(user.id);
  }
  return ids;
}

/** The ports the message and conversation suites need together (appends move conversation state). */
export interface ChatPorts {
  readonly identity: IdentityStore;
  readonly conversations: ConversationStore;
  readonly messages: MessageStore;
}

export function makeMessage(
  conversationId: ConversationId,
  seq: number,
  senderId: UserId,
  extra: Partial<Omit<StoredMessage, 'conversationId' | 'seq' | 'senderId'>> = {},
): StoredMessage {
  return {
    id: extra.id ?? nextMessageId(),
    conversationId,
    seq,
    senderId,
    clientMsgId: extra.clientMsgId ?? uniqueName('cmid'),
    serverTime: extra.serverTime ?? Date.now(),
    content: extra.content ?? new TextEncoder().encode(`message ${seq}`),
    mentions: extra.mentions ?? [],
    mentionAll: extra.mentionAll ?? false,
    visibleTo: extra.visibleTo ?? [],
  };
}

export function appendItem(message: StoredMessage, timelineUsers: readonly UserId[] = [], senderReadsOwn = false): AppendItem {
  return { message, timelineUsers, senderReadsOwn };
}

/** Comparable form of a stored message (content as a plain number array). */
export function plain(message: StoredMessage | null | undefined): unknown {
  if (!message) return message;
  return {
    ...message,
    content: Array.from(message.content),
    mentions: [...message.mentions],
    visibleTo: [...message.visibleTo],
  };
}

export function byNumber(a: number, b: number): number {
  return a - b;
}
