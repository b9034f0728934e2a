import type { UserId } from '../model.js';
import type { AgentRecord, ServiceConversationRecord } from '../ports/service-store.js';

/** An agent as the router sees it in one pass. */
export interface AgentLoad {
  readonly agent: AgentRecord;
  readonly online: boolean;
  /** Conversations assigned to the agent right now (this pass's decisions included). */
  active: number;
}

/** May this agent take one more conversation of this skill? */
export function canTake(a: AgentLoad, skill: string, skip: UserId): boolean {
  return a.online && a.agent.available && a.agent.userId !== skip && a.active < a.agent.capacity
    && (skill === '' || a.agent.skills.includes(skill));
}

/**
 * The routing rules (docs/architecture.md "Customer service"), in order:
 * 1. only agents that are online (a live connection, per presence) and have
 *    switched themselves available;
 * 2. only agents of the inquiry's skill group (any agent when no skill);
 * 3. never the agent who let this session time out (skipAgentId);
 * 4. only agents below their capacity;
 * 5. sticky: the agent who served this customer last, when 1-4 allow;
 * 6. otherwise the least busy relative to capacity (active / capacity), then
 *    fewer active conversations, then the lower user id (deterministic).
 * Returns null when nobody qualifies: the conversation stays queued.
 */
export function pickAgent(loads: readonly AgentLoad[], c: ServiceConversationRecord): AgentLoad | null {
  const eligible = loads.filter((a) => canTake(a, c.skill, c.skipAgentId));
  if (eligible.length === 0) return null;
  const sticky = c.lastAgentId ? eligible.find((a) => a.agent.userId === c.lastAgentId) : undefined;
  if (sticky) return sticky;
  let best = eligible[0]!;
  for (const a of eligible.slice(1)) {
    const d = a.active / a.agent.capacity - best.active / best.agent.capacity;
    if (d < 0 || (d === 0 && (a.active < best.active || (a.active === best.active && a.agent.userId < best.agent.userId)))) best = a;
  }
  return best;
}

/** 1-based queue positions per conversation: order of queuedAt within the same skill group. */
export function queuePositions(queued: readonly ServiceConversationRecord[]): Map<number, number> {
  const sorted = [...queued].sort((a, b) => a.queuedAt - b.queuedAt || a.conversationId - b.conversationId);
  const perSkill = new Map<string, number>();
  const out = new Map<number, number>();
  for (const c of sorted) {
    const n = (perSkill.get(c.skill) ?? 0) + 1;
    perSkill.set(c.skill, n);
    out.set(c.conversationId, n);
  }
  return out;
}
