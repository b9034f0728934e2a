import { describe, expect, it } from 'vitest';
import { defaults } from '../../packages/server/src/config.js';
import { RELAY_ROOM_PUSH_BUDGET_PER_SEC } from '../src/servers/relay-rooms.js';

describe('baseline relay room pacing', () => {
  it('defaults to Xinbox\'s XINBOX_ROOM_PUSH_BUDGET, so both write the same frames', () => {
    expect(RELAY_ROOM_PUSH_BUDGET_PER_SEC).toBe(defaults.roomPushBudget);
  });
});
