import { describe, expect, it } from 'vitest';
import { AccessService } from '../../src/access/access-service.js';
import { NodeDirectory, type NodeInfo } from '../../src/router/node-directory.js';

/** A directory of live gateways gw-0..gw-(n-1) (plus one logic node, never listed), with the given loads. */
function directoryOf(loads: ReadonlyArray<Partial<NodeInfo>>): NodeDirectory {
  const d = new NodeDirectory();
  const infos: NodeInfo[] = loads.map((l, i) => ({
    nodeId: `gw-${i}`, roles: ['gateway'], ws: `ws://10.0.0.${i}:8080/ws`, tcp: null, region: '', canary: false,
    connections: 0, eventLoopLagMs: 0, at: Date.now(), ...l,
  }));
  infos.push({ nodeId: 'logic-0', roles: ['logic'], ws: null, tcp: null, region: '', canary: false, connections: 0, eventLoopLagMs: 0, at: Date.now() });
  for (const info of infos) d.announce(info);
  d.setLive(infos.map((n) => n.nodeId));
  return d;
}

const rank = (d: NodeDirectory, q: Record<string, string> = {}, canary = '') =>
  new AccessService(d, { canaryClientVersions: canary }, () => null).rank(new URLSearchParams(q)).map((e) => e.nodeId);

describe('AccessService ranking', () => {
  it('lists gateways only, least loaded (connections, event-loop lag) first', () => {
    const d = directoryOf([{ connections: 5000 }, { connections: 100 }, { connections: 100, eventLoopLagMs: 30 }, { connections: 2000 }]);
    expect(rank(d)).toEqual(['gw-1', 'gw-3', 'gw-2', 'gw-0']);
  });

  it('pins a room to the same two gateways whatever their load, and spreads different rooms', () => {
    const loads = Array.from({ length: 8 }, () => ({}));
    const pinnedOf = (room: string, d: NodeDirectory) => rank(d, { room }).slice(0, 2).sort();
    const quiet = directoryOf(loads);
    const busy = directoryOf(loads.map((_, i) => ({ connections: (i * 7919) % 5000, eventLoopLagMs: i * 3 })));
    const tops = new Set<string>();
    for (let r = 0; r < 40; r++) {
      const top = pinnedOf(`room-${r}`, quiet);
      expect(pinnedOf(`room-${r}`, busy)).toEqual(top);
      tops.add(top.join());
    }
    expect(tops.size).toBeGreaterThan(5);
    // Everyone else still gets every gateway after the pinned pair.
    expect(rank(busy, { room: 'room-1' }).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `gw-${i}`));
  });

  it('sends canary client versions to canary gateways and keeps others off them', () => {
    const d = directoryOf([{ canary: true }, {}, { canary: true, connections: 10 }, {}]);
    expect(rank(d, { clientVersion: 'web-2.0-beta.3' }, 'web-2.0-beta')).toEqual(['gw-0', 'gw-2']);
    expect(rank(d, { clientVersion: 'web-1.9' }, 'web-2.0-beta')).toEqual(['gw-1', 'gw-3']);
  });

  it('puts the hinted region first', () => {
    const d = directoryOf([{ region: 'eu' }, { region: 'ap', connections: 900 }, { region: 'eu', connections: 10 }]);
    expect(rank(d, { region: 'ap' })).toEqual(['gw-1', 'gw-0', 'gw-2']);
  });
});
