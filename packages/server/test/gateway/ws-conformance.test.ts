/**
 * RFC 6455 behaviour of the gateway's WebSocket endpoint, over real sockets,
 * frame by frame: what a client of any make can rely on (fragmentation,
 * control frames between fragments, the close handshake, and which close
 * code each kind of broken frame gets). The framing is the `ws` library's;
 * these cases pin it, so a change of library or of its options that alters
 * what clients see fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  CloseCodes, SUBPROTOCOL_JSON, SUBPROTOCOL_PROTO, decodeFrame, encodeFrame, splitFrames, withLengthPrefix, type Frame,
} from '@xinbox/protocol';
import { startTestNode } from '../support/server.js';
import { WsWireClient } from '../support/ws-wire-client.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const MAX_FRAME = 4096;
const OP = { CONT: 0, TEXT: 1, BIN: 2, CLOSE: 8, PING: 9, PONG: 10 };

/** A length-prefixed Xinbox ping (answered with a pong even before auth). */
const pingBytes = (id: number): Buffer => Buffer.from(withLengthPrefix(encodeFrame({ id, body: { case: 'ping', value: {} } })));

/** Xinbox frames in the server's binary messages. */
function xinboxFrames(c: WsWireClient): Frame[] {
  return c.frames.filter((f) => f.opcode === OP.BIN).flatMap((f) => splitFrames(f.payload, 1 << 24).map((b) => decodeFrame(b)));
}

const pongIds = (c: WsWireClient): number[] => xinboxFrames(c).filter((f) => f.body.case === 'pong').map((f) => f.id);

describe('WebSocket conformance of the gateway', () => {
  let node: Node;
  const open: WsWireClient[] = [];
  const client = async (protocols = [SUBPROTOCOL_PROTO], extra = ''): Promise<WsWireClient> => {
    const c = await WsWireClient.open(node.wsUrl, protocols, extra);
    open.push(c);
    return c;
  };
  beforeAll(async () => {
    node = await startTestNode({ maxFrameBytes: MAX_FRAME });
  });
  afterAll(async () => {
    for (const c of open) c.destroy();
    await node?.cleanup();
  });

  it('confirms the binary subprotocol and declines a deflate offer', async () => {
    const c = await client([SUBPROTOCOL_PROTO], 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n');
    expect(c.headers['sec-websocket-protocol']).toBe(SUBPROTOCOL_PROTO);
    expect(c.headers['sec-websocket-extensions']).toBeUndefined();
    c.sendFrame(OP.BIN, pingBytes(1));
    await c.until(() => pongIds(c).includes(1));
    expect(c.frames.every((f) => !f.masked && f.fin)).toBe(true);
  });

  it('joins a fragmented message, answering a ping sent between its fragments', async () => {
    const c = await client();
    const bytes = Buffer.concat([pingBytes(7), pingBytes(8)]);
    c.sendFrame(OP.BIN, bytes.subarray(0, 3), { fin: false });
    c.sendFrame(OP.PING, Buffer.from('are you there'));
    c.sendFrame(OP.CONT, bytes.subarray(3, 10), { fin: false });
    c.sendFrame(OP.CONT, bytes.subarray(10));
    await c.until(() => pongIds(c).length === 2);
    expect(pongIds(c)).toEqual([7, 8]);
    const pong = c.frames.find((f) => f.opcode === OP.PONG)!;
    expect(pong.payload.toString()).toBe('are you there');
    expect(c.frames.findIndex((f) => f.opcode === OP.PONG)).toBeLessThan(c.frames.findIndex((f) => f.opcode === OP.BIN));
  });

  it('reads frames split across TCP writes and several frames in one write', async () => {
    const c = await client();
    const one = WsWireClient.frame(OP.BIN, pingBytes(1));
    for (const byte of one) c.write(Buffer.of(byte));
    c.write(Buffer.concat([WsWireClient.frame(OP.BIN, pingBytes(2)), WsWireClient.frame(OP.BIN, pingBytes(3)), WsWireClient.frame(OP.BIN, pingBytes(4))]));
    await c.until(() => pongIds(c).length === 4);
    expect(pongIds(c)).toEqual([1, 2, 3, 4]);
  });

  it('closes with 1002 on an unmasked client frame', async () => {
    const c = await client();
    c.sendFrame(OP.BIN, pingBytes(1), { mask: false });
    expect((await c.closedWith()).code).toBe(1002);
  });

  it('closes with 1002 on reserved bits without an extension', async () => {
    const c = await client();
    c.sendFrame(OP.BIN, pingBytes(1), { rsv: 0x40 });
    expect((await c.closedWith()).code).toBe(1002);
  });

  it.each([
    ['an unknown data opcode', OP.BIN + 1, {}],
    ['an unknown control opcode', 0x0b, {}],
    ['a continuation with no message started', OP.CONT, {}],
    ['a fragmented control frame', OP.PING, { fin: false }],
  ])('closes with 1002 on %s', async (_what, opcode, o) => {
    const c = await client();
    c.sendFrame(opcode, Buffer.from('x'), o);
    expect((await c.closedWith()).code).toBe(1002);
  });

  it('closes with 1002 on a control frame above 125 bytes', async () => {
    const c = await client();
    c.sendFrame(OP.PING, Buffer.alloc(126));
    expect((await c.closedWith()).code).toBe(1002);
  });

  it('closes with 1002 on a new message inside a fragmented one', async () => {
    const c = await client();
    c.sendFrame(OP.BIN, Buffer.from('ab'), { fin: false });
    c.sendFrame(OP.BIN, Buffer.from('cd'));
    expect((await c.closedWith()).code).toBe(1002);
  });

  it('closes with 1009 on a message above the limit, from its header alone', async () => {
    const c = await client();
    // Claims 2^40 bytes and sends none of them: the header is enough to refuse it.
    c.sendFrame(OP.BIN, Buffer.alloc(0), { claimedLength: 2 ** 40 });
    expect((await c.closedWith()).code).toBe(1009);
  });

  it('closes with 1009 when fragments add up past the limit', async () => {
    const c = await client();
    for (let i = 0; i < 5; i++) c.sendFrame(i === 0 ? OP.BIN : OP.CONT, Buffer.alloc(MAX_FRAME), { fin: false });
    expect((await c.closedWith()).code).toBe(1009);
  });

  it('closes with 1007 on a text message that is not UTF-8', async () => {
    const c = await client();
    c.sendFrame(OP.TEXT, Buffer.from([0x68, 0xc3, 0x28]));
    expect((await c.closedWith()).code).toBe(1007);
  });

  it('closes with 1002 on an invalid close code', async () => {
    const c = await client();
    const body = Buffer.alloc(2);
    body.writeUInt16BE(1005);
    c.sendFrame(OP.CLOSE, body);
    expect((await c.closedWith()).code).toBe(1002);
  });

  it('echoes the client\'s close code and ends the connection', async () => {
    const c = await client();
    const body = Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from('再见')]); // 4000
    c.sendFrame(OP.CLOSE, body);
    expect((await c.closedWith()).code).toBe(4000);
  });

  it('closes with 4007 FRAME_TOO_LARGE, reason included, when one Xinbox frame is above maxFrameBytes', async () => {
    const c = await client();
    const big = Buffer.alloc(4 + MAX_FRAME + 1);
    big.writeUInt32BE(MAX_FRAME + 1);
    c.sendFrame(OP.BIN, big);
    const closed = await c.closedWith();
    expect(closed.code).toBe(CloseCodes.FRAME_TOO_LARGE.code);
    expect(closed.reason.length).toBeGreaterThan(0);
    expect(xinboxFrames(c).map((f) => f.body.case)).toContain('kicked');
  });

  it('answers a text message on the binary subprotocol with BAD_FRAME', async () => {
    const c = await client();
    c.sendFrame(OP.TEXT, Buffer.from('{"hello":1}'));
    await c.until(() => xinboxFrames(c).some((f) => f.body.case === 'error'));
  });

  it('serves a client offering no subprotocol as binary', async () => {
    const c = await client([]);
    expect(c.headers['sec-websocket-protocol']).toBeUndefined();
    c.sendFrame(OP.BIN, pingBytes(5));
    await c.until(() => pongIds(c).includes(5));
  });

  it('serves the JSON subprotocol (through ws) and the ws client', async () => {
    const json = new WebSocket(node.wsUrl, SUBPROTOCOL_JSON);
    const text = await new Promise<string>((resolve, reject) => {
      json.once('open', () => json.send(JSON.stringify({ id: 3, ping: {} })));
      json.once('message', (d) => resolve(String(d)));
      json.once('error', reject);
    });
    expect(JSON.parse(text)).toMatchObject({ id: 3 });
    json.close();

    const bin = new WebSocket(node.wsUrl, SUBPROTOCOL_PROTO);
    const code = await new Promise<number>((resolve, reject) => {
      bin.once('open', () => bin.send(pingBytes(9)));
      bin.once('message', () => bin.close(4001, 'done'));
      bin.once('close', (c) => resolve(c));
      bin.once('error', reject);
    });
    expect(code).toBe(4001);
  });
});
