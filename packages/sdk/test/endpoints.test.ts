import { describe, expect, it } from 'vitest';
import { EndpointSelector } from '../src/endpoints.js';
import type { AccessList } from '../src/http-api.js';

const fallback = { ws: 'ws://fallback/ws', tcp: { host: 'fallback', port: 8081 } };
const list = (...names: string[]): AccessList => ({
  endpoints: names.map((n, i) => ({ ws: `ws://${n}/ws`, tcp: { host: n, port: 9000 + i }, weight: 10 - i })),
  ttlMs: 1000,
});

describe('EndpointSelector', () => {
  it('uses the fallback when access scheduling is off', async () => {
    const s = new EndpointSelector({ transport: 'ws', fallback });
    expect(await s.current()).toEqual(fallback);
    s.advance();
    expect(await s.current()).toEqual(fallback);
  });

  it('tries the ranked list in order, then the fallback, then wraps', async () => {
    const s = new EndpointSelector({ transport: 'ws', fallback, fetchList: async () => list('a', 'b') });
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      seen.push((await s.current()).ws);
      s.advance();
    }
    expect(seen).toEqual(['ws://a/ws', 'ws://b/ws', 'ws://fallback/ws', 'ws://a/ws']);
  });

  it('caches the list for its ttl and keeps the last one when the access call fails', async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const s = new EndpointSelector({
      transport: 'ws',
      fallback,
      now: () => now,
      fetchList: async () => {
        calls++;
        if (fail) throw new Error('down');
        return list('a');
      },
      onError: () => undefined,
    });
    await s.current();
    await s.current();
    expect(calls).toBe(1);
    now = 1500;
    fail = true;
    expect((await s.current()).ws).toBe('ws://a/ws');
    expect(calls).toBe(2);
  });

  it('for tcp skips endpoints without a tcp address', async () => {
    const s = new EndpointSelector({
      transport: 'tcp',
      fallback,
      fetchList: async () => ({ endpoints: [{ ws: 'ws://wsonly/ws', weight: 1 }, { ws: 'ws://b/ws', tcp: { host: 'b', port: 1 }, weight: 1 }], ttlMs: 1000 }),
    });
    expect((await s.current()).tcp).toEqual({ host: 'b', port: 1 });
    s.advance();
    expect((await s.current()).tcp).toEqual(fallback.tcp);
  });

  it('does not list the fallback twice when the server names it', async () => {
    const s = new EndpointSelector({ transport: 'ws', fallback, fetchList: async () => ({ endpoints: [{ ...fallback, weight: 1 }], ttlMs: 10 }) });
    await s.current();
    expect(s.candidates()).toHaveLength(1);
  });
});
