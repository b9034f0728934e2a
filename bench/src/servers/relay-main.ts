import { startRelay, type Delivery } from './relay.js';

/** Shared entry of the ceiling and naive processes: listen, print the ready line, stop on a signal. */
export async function runRelayProcess(name: string, delivery: Delivery): Promise<void> {
  const port = Number(process.env.XINBOX_PORT ?? process.argv[2] ?? 0);
  const host = process.env.XINBOX_HOST ?? '127.0.0.1';
  // BENCH_RELAY_LINK: 'owner' on relay 0 of several, the owner's ws://host:port/peer on the others.
  const linkEnv = process.env.BENCH_RELAY_LINK;
  const roomLink = !linkEnv ? undefined : linkEnv === 'owner' ? 'owner' as const : { ownerUrl: linkEnv };
  // The same knob as Xinbox's, so both pace rooms alike.
  const budget = process.env.XINBOX_ROOM_PUSH_BUDGET;
  const roomPushBudget = budget ? Number(budget) : undefined;
  const relay = await startRelay({ host, port, delivery, roomLink, roomPushBudget });
  console.log(`${name} relay listening on http://${host}:${relay.port} (delivery=${delivery})`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(0), 3000);
    force.unref();
    void relay.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Bounded lifetime: a relay left behind by a crashed run stops by itself.
  const maxLifeMs = Number(process.env.BENCH_MAX_LIFETIME_MS ?? 4 * 3600_000);
  setTimeout(stop, maxLifeMs).unref();
}
