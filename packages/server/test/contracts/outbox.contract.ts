import { describe, expect, it } from 'vitest';
import { encodeFrame, withLengthPrefix } from '@xinbox/protocol';
import type { UserId } from '../../src/core/model.js';
import type { Outbox } from '../../src/core/ports/outbox.js';
import type { RecordingConnection } from '../support/recording-connection.js';
import { eventually, sleep, uniqueUserId, useFixture, type FixtureFactory } from './contract-support.js';

export interface OutboxPorts {
  readonly outbox: Outbox;
  /** How many gateways the fixture runs; the outbox lives on gateway 0. */
  readonly gateways: number;
  /** Connect a device to gateway `gateway` (binding its route in a cluster), as the gateway's opened hook does. */
  connect(gateway: number, userId: UserId, deviceId: string): Promise<RecordingConnection>;
  /** Let `conn` watch the presence of `userIds` (presenceSubscribe). */
  watch(gateway: number, conn: RecordingConnection, userIds: readonly UserId[]): void;
}

/** A frame whose id tells the tests which one it is. */
function frame(n: number): Uint8Array {
  return withLengthPrefix(encodeFrame({ id: n, body: { case: 'pong', value: { serverTime: n } } }));
}

const ids = (c: RecordingConnection): number[] => c.frames.map((f) => f.id);

/**
 * The Outbox contract (core/ports/outbox.ts), run against every Outbox
 * implementation: LocalOutbox (single node) and ClusterOutbox over each Bus
 * and RouteRegistry adapter. Connections are real gateway Connections whose
 * transport records frames. With more than one gateway, devices are spread
 * over them: the contract holds wherever a device is connected.
 */
export function describeOutboxContract(name: string, makePorts: FixtureFactory<OutboxPorts>): void {
  describe(`Outbox contract: ${name}`, () => {
    const ctx = useFixture(makePorts);
    const last = () => ctx.stores().gateways - 1;

    it('hands a push to every device of the user but the excepted one, on any gateway', async () => {
      const { outbox, connect } = ctx.stores();
      const user = uniqueUserId();
      const phone = await connect(0, user, 'phone');
      const laptop = await connect(last(), user, 'laptop');
      const sender = await connect(0, user, 'tablet');
      outbox.toUsers([{ userId: user, frame: frame(1), syncSeq: 0, exceptDeviceId: 'tablet' }]);
      await eventually(() => phone.frames.length === 1 && laptop.frames.length === 1, 5_000, 'deliveries');
      await sleep(30);
      expect(ids(phone)).toEqual([1]);
      expect(ids(laptop)).toEqual([1]);
      expect(sender.frames).toHaveLength(0);
    });

    it('keeps call order for one device, across calls and ticks', async () => {
      const { outbox, connect } = ctx.stores();
      const user = uniqueUserId();
      const far = await connect(last(), user, 'far');
      const near = await connect(0, user, 'near');
      const expected: number[] = [];
      for (let tick = 0; tick < 5; tick++) {
        for (let i = 0; i < 20; i++) {
          const n = tick * 100 + i + 1;
          expected.push(n);
          outbox.toUsers([{ userId: user, frame: frame(n), syncSeq: 0 }]);
        }
        await new Promise((r) => setImmediate(r));
      }
      await eventually(() => far.frames.length === expected.length && near.frames.length === expected.length, 5_000, 'ordered deliveries');
      expect(ids(far)).toEqual(expected);
      expect(ids(near)).toEqual(expected);
    });

    it('hands a push with a sync seq over as one the device must acknowledge', async () => {
      const { outbox, connect } = ctx.stores();
      const user = uniqueUserId();
      const device = await connect(last(), user, 'phone');
      outbox.toUsers([{ userId: user, frame: frame(7), syncSeq: 3 }, { userId: user, frame: frame(8), syncSeq: 0 }]);
      await eventually(() => device.frames.length === 2, 5_000, 'deliveries');
      expect(device.unackedPushes).toBe(1);
      device.ackPushes(3);
      expect(device.unackedPushes).toBe(0);
    });

    it('drops pushes for users with no connected device (they sync later)', async () => {
      const { outbox, connect } = ctx.stores();
      const online = uniqueUserId();
      const device = await connect(0, online, 'phone');
      outbox.toUsers([{ userId: uniqueUserId(), frame: frame(1), syncSeq: 5 }, { userId: online, frame: frame(2), syncSeq: 0 }]);
      await eventually(() => device.frames.length === 1, 5_000, 'the online user\u2019s push');
      expect(ids(device)).toEqual([2]);
    });

    it('reaches the audience of a read-fan-out conversation on every gateway, except the sender device, and not after leaving', async () => {
      const { outbox, connect } = ctx.stores();
      const conversation = uniqueUserId();
      const [a, b, outsider] = [uniqueUserId(), uniqueUserId(), uniqueUserId()];
      const aPhone = await connect(0, a, 'phone');
      const aLaptop = await connect(last(), a, 'laptop');
      const bPhone = await connect(last(), b, 'phone');
      const other = await connect(0, outsider, 'phone');
      outbox.audienceChanged(conversation, [a, b], []);
      // Membership events travel like pushes; a probe push tells when they arrived everywhere.
      await sleep(50);
      outbox.toAudience(conversation, frame(1), '101', { userId: a, deviceId: 'phone' });
      await eventually(() => aLaptop.frames.length === 1 && bPhone.frames.length === 1, 5_000, 'audience deliveries');
      outbox.audienceChanged(conversation, [], [b]);
      await sleep(50);
      outbox.toAudience(conversation, frame(2), '102');
      await eventually(() => aPhone.frames.length === 1 && aLaptop.frames.length === 2, 5_000, 'second audience delivery');
      await sleep(50);
      expect(ids(aPhone)).toEqual([2]);
      expect(ids(aLaptop)).toEqual([1, 2]);
      expect(ids(bPhone)).toEqual([1]);
      expect(other.frames).toHaveLength(0);
      // Read-fan-out pushes wait for PushAck{messageIds} like timeline pushes wait for their sync seq.
      expect(aLaptop.unackedPushes).toBe(2);
      aLaptop.ackMessages(['101', '102']);
      expect(aLaptop.unackedPushes).toBe(0);
    });

    it('tells presence watchers on every gateway', async () => {
      const { outbox, connect, watch } = ctx.stores();
      const [subject, near, far] = [uniqueUserId(), uniqueUserId(), uniqueUserId()];
      const nearWatcher = await connect(0, near, 'phone');
      const farWatcher = await connect(last(), far, 'phone');
      watch(0, nearWatcher, [subject]);
      watch(last(), farWatcher, [subject]);
      outbox.presenceChanged({ userId: subject, online: true, lastSeen: 1234, devices: [] });
      await eventually(() => nearWatcher.frames.length === 1 && farWatcher.frames.length === 1, 5_000, 'presence updates');
      for (const w of [nearWatcher, farWatcher]) {
        const body = w.frames[0]!.body;
        expect(body.case).toBe('presenceUpdate');
        expect(body.case === 'presenceUpdate' && body.value.user?.userId).toBe(String(subject));
      }
    });
  });
}
