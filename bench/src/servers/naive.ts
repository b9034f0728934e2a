/** Naive baseline: like the ceiling relay but one ws.send per recipient per message, no batching. */
import { runRelayProcess } from './relay-main.js';

await runRelayProcess('naive', 'direct');
