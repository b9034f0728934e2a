/**
 * Read receipts of a group (ReadReceipts): under the user's latest message,
 * who has read it (small groups: their names) or how many (large groups).
 * Asked again whenever a member's read position moves (ReadUpdate).
 */
import { useEffect, useState } from 'preact/hooks';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';

/** Groups up to this size list the readers by name; larger ones show a count. */
const NAMES_UP_TO = 20;

export function GroupReceipts({ conversationId, seq }: { conversationId: string; seq: number }) {
  const { app } = useServices();
  const names = useStore(app.directory.names);
  const peerRead = useStore(app.peerReads).get(conversationId) ?? 0;
  const me = useStore(app.me);
  const [state, setState] = useState<{ readBy: string[]; readCount: number; memberCount: number } | undefined>(undefined);

  useEffect(() => {
    if (seq <= 0) return;
    let live = true;
    app.client
      .readReceipts(conversationId, seq)
      .then((r) => {
        if (live) setState({ readBy: r.readBy.filter((u) => u !== me?.userId), readCount: r.readCount, memberCount: r.memberCount });
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [app, conversationId, seq, peerRead, me?.userId]);

  if (!state || seq <= 0) return null;
  const others = Math.max(0, state.memberCount - 1);
  let text: string;
  if (state.memberCount <= NAMES_UP_TO && state.readBy.length > 0) text = `Read by ${state.readBy.map((u) => names.get(u) ?? 'someone').join(', ')}`;
  else if (state.memberCount <= NAMES_UP_TO) text = 'Not read yet';
  else text = `Read by ${Math.max(0, state.readCount - 1)} of ${others}`;
  return (
    <p class="group-receipts" data-testid="group-receipts" aria-live="polite">
      {text}
    </p>
  );
}
