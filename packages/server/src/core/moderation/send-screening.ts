import type { Caller, SendAckInfo } from '../messaging/send-types.js';
import type { FilterMatch } from './content-filter.js';
import type { ContentScreen } from './content-screen.js';

/** The sensitive-word filter on the send path, and where flagged messages go for review. */
export interface SendScreening {
  readonly screen: ContentScreen;
  /** A stored message contained flag-list words (called once: resends are not reported again). */
  readonly flagged: (caller: Caller, ack: SendAckInfo, matches: readonly FilterMatch[]) => void;
}
