import WebSocket, { WebSocketServer } from 'ws';

/**
 * Links baseline relay processes so that one room spans all of them (W4 with
 * `--gateways N`), with as little as a multi-process relay can do: relay 0
 * (the owner) numbers every room message and sends the numbered bytes to the
 * other relays over one WebSocket each; the others hand their senders'
 * messages to the owner. Star topology, no retries: a baseline that loses its
 * link has failed the run, and says so on stderr.
 *
 * Link frames are binary WebSocket messages: one kind byte, then an encoded
 * RoomMessage. Kind 1 (relay -> owner): unnumbered (no id, seq 0). Kind 2
 * (owner -> relays): numbered, to deliver.
 */

export const LINK_TO_OWNER = 1;
export const LINK_DELIVER = 2;

export interface RoomLinkHandlers {
  /** Owner: a relay's message to number and deliver everywhere. */
  onToOwner(message: Uint8Array): void;
  /** Relay: a numbered message to deliver locally. */
  onDeliver(message: Uint8Array): void;
}

export interface RoomLink {
  readonly owner: boolean;
  /** Relay: hand an unnumbered message to the owner. */
  toOwner(message: Uint8Array): void;
  /** Owner: send a numbered message to every other relay. */
  toRelays(message: Uint8Array): void;
  /** Owner only: accepts the relays' link connections (mounted on the HTTP server at /peer). */
  readonly server: WebSocketServer | undefined;
  close(): void;
}

function framed(kind: number, message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(1 + message.length);
  out[0] = kind;
  out.set(message, 1);
  return out;
}

function dispatch(data: Buffer, h: RoomLinkHandlers): void {
  const body = data.subarray(1);
  if (data[0] === LINK_TO_OWNER) h.onToOwner(body);
  else if (data[0] === LINK_DELIVER) h.onDeliver(body);
}

/** The owner's side: a WebSocket server (no port of its own) for the other relays. */
export function ownerLink(h: RoomLinkHandlers): RoomLink {
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const relays = new Set<WebSocket>();
  server.on('connection', (ws) => {
    relays.add(ws);
    ws.on('message', (data: Buffer) => dispatch(data, h));
    ws.on('close', () => relays.delete(ws));
    ws.on('error', () => undefined);
  });
  return {
    owner: true,
    server,
    toOwner: () => undefined,
    toRelays: (message) => {
      if (relays.size === 0) return;
      const bytes = framed(LINK_DELIVER, message);
      for (const ws of relays) ws.send(bytes);
    },
    close: () => {
      for (const ws of relays) ws.terminate();
      server.close();
    },
  };
}

/** A non-owner relay's side: one WebSocket to the owner's /peer, open before the relay reports ready. */
export async function relayLink(ownerUrl: string, h: RoomLinkHandlers, timeoutMs = 10_000): Promise<RoomLink> {
  const ws = new WebSocket(ownerUrl, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`room link to ${ownerUrl}: timeout`)), timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`room link to ${ownerUrl}: ${e.message}`));
    });
  });
  let closing = false;
  ws.on('message', (data: Buffer) => dispatch(data, h));
  ws.on('error', () => undefined);
  ws.on('close', () => {
    if (!closing) console.error(`room link to ${ownerUrl} closed: rooms no longer span the relays`);
  });
  return {
    owner: false,
    server: undefined,
    toOwner: (message) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(framed(LINK_TO_OWNER, message));
    },
    toRelays: () => undefined,
    close: () => {
      closing = true;
      ws.terminate();
    },
  };
}
