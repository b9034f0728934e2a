/**
 * Node-to-node messages. Every node subscribes to its own topic and to the
 * broadcast topic.
 *
 * Contract:
 * - Messages published to one topic by one publisher arrive in publish order.
 * - Delivery is at most once: a node that is down misses messages (durable
 *   state lives in the stores; clients recover by sync).
 * - A handler is never called after its unsubscribe resolves.
 */
export interface Bus {
  publish(topic: string, payload: Uint8Array): Promise<void>;
  subscribe(topic: string, handler: (payload: Uint8Array) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
