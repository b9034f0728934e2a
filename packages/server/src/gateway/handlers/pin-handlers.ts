import type { PinListService } from '../../core/messaging/pin-list.js';
import type { HandlerTable } from './types.js';
import { parseId } from './ids.js';

/** A conversation's current pins (PinList → PinListResult). */
export function pinHandlers(pins: PinListService): HandlerTable {
  return {
    pinList: async ({ caller }, v) => ({
      case: 'pinListResult',
      value: await pins.list(caller, { conversationId: parseId(v.conversationId, 'conversationId'), cursor: v.cursor, limit: v.limit }),
    }),
  };
}
