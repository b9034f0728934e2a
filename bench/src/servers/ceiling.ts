/**
 * Ceiling baseline: the Xinbox framing with no IM logic, and per-socket
 * queues flushed once per event-loop turn as one joined ws.send.
 */
import { runRelayProcess } from './relay-main.js';

await runRelayProcess('ceiling', 'batched');
