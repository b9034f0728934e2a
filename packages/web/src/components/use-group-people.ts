/**
 * The members of a group (for @mention suggestions and read receipts) and the
 * user's role in it, loaded when the chat opens (first 500 members).
 */
import { GroupRole } from '@xinbox/protocol';
import { useEffect, useState } from 'preact/hooks';
import type { MentionCandidate } from '../state/mentions.js';
import { useServices } from './app-context.js';

export interface GroupPeople {
  readonly members: readonly MentionCandidate[];
  /** Owner or admin: may mention @all, recall anyone's message and pin (the message menu). */
  readonly canMentionAll: boolean;
}

const NONE: GroupPeople = { members: [], canMentionAll: false };

export function useGroupPeople(conversationId: string, group: boolean, memberCount: number): GroupPeople {
  const { app } = useServices();
  const [people, setPeople] = useState<GroupPeople>(NONE);
  useEffect(() => {
    setPeople(NONE);
    if (!group) return;
    let live = true;
    void Promise.all([app.client.groupMembers(conversationId, { limit: 500 }), app.client.getGroup(conversationId)])
      .then(([list, info]) => {
        if (!live) return;
        const members = list.members.map((m) => ({ userId: m.userId, username: m.username }));
        for (const m of members) if (m.username) app.directory.learnName(m.userId, m.username);
        setPeople({ members, canMentionAll: info.myRole === GroupRole.OWNER || info.myRole === GroupRole.ADMIN });
      })
      .catch(() => undefined); // no suggestions; the composer still works
    return () => {
      live = false;
    };
  }, [app, conversationId, group, memberCount]);
  return people;
}
