/**
 * The scrolling history of a conversation. Opens at the newest message;
 * scrolling to the top (or the "Load older" button, for keyboards) fetches
 * the previous page, and the view stays where it was while older messages
 * are inserted above. New messages scroll into view only when the reader was
 * already at the bottom (or sent them). A jump (ChatApp.focus, from a search
 * hit) scrolls the message to the middle of the view and highlights it.
 * A date separator starts each day.
 */
import { Fragment } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { dayLabel, dayStarts } from '../state/date-separators.js';
import { conversationTitle } from '../state/conversation-view.js';
import { foldTimeline } from '../state/message-ops-view.js';
import { useStore } from '../state/store.js';
import type { PendingMessage, Timeline } from '../state/timeline.js';
import { useServices } from './app-context.js';
import type { MessageView } from '@xinbox/sdk';
import { MessageItem, PendingItem } from './MessageItem.js';

const LOAD_OLDER_AT_PX = 80;
const STICK_TO_BOTTOM_PX = 60;

interface Props {
  conversationId: string;
  timeline: Timeline;
  group: boolean;
  /** The reader is a group owner or admin (may recall anyone's message, pin). */
  manager?: boolean;
  peerReadSeq: number;
  onLoadOlder: () => void;
  onRetry: (p: PendingMessage) => void;
}

interface ScrollSnapshot {
  scrollHeight: number;
  scrollTop: number;
  atBottom: boolean;
  firstSeq: number;
  lastKey: string;
  loaded: boolean;
}

export function MessageList({ conversationId, timeline, group, manager = false, peerReadSeq, onLoadOlder, onRetry }: Props) {
  const { app } = useServices();
  const me = useStore(app.me);
  const names = useStore(app.directory.names);
  const conversations = useStore(app.conversations);
  const actionError = useStore(app.ops.error);
  const folded = useMemo(() => foldTimeline(timeline.messages), [timeline.messages]);
  const nameOf = (id: string) => names.get(id);
  const handlers = {
    reply: (v: MessageView) => app.ops.startReply(conversationId, v, v.senderId === me?.userId ? 'yourself' : (nameOf(v.senderId) ?? 'someone')),
    react: (v: MessageView, emoji: string, add: boolean) => app.ops.react(conversationId, v.seq, emoji, add),
    edit: (v: MessageView, text: string) => app.ops.edit(conversationId, v.seq, text),
    recall: (v: MessageView) => app.ops.recall(conversationId, v.seq),
    deleteForMe: (v: MessageView) => app.ops.deleteForMe(conversationId, v.seq),
    pin: (v: MessageView, pinned: boolean) => app.ops.pin(conversationId, v.seq, pinned),
    forward: (v: MessageView, to: string) => app.ops.forward(conversationId, v.seq, to),
  };
  const ops = { handlers, manager, conversations, titleOf: (c: (typeof conversations)[number]) => conversationTitle(c, nameOf) };
  const ref = useRef<HTMLDivElement>(null);
  const snap = useRef<ScrollSnapshot | undefined>(undefined);

  const visible = folded.rows;
  const starts = useMemo(() => dayStarts(visible), [visible]);
  const focus = useStore(app.focus);
  const [highlighted, setHighlighted] = useState<number | undefined>(undefined);
  const jumped = useRef(false);
  const centred = useRef('');
  const firstSeq = timeline.messages[0]?.seq ?? 0;
  const lastKey = `${timeline.messages[timeline.messages.length - 1]?.seq ?? 0}/${timeline.pending.length}`;

  const remember = (el: HTMLDivElement) => {
    snap.current = {
      scrollHeight: el.scrollHeight,
      scrollTop: el.scrollTop,
      atBottom: el.scrollHeight - el.scrollTop - el.clientHeight < STICK_TO_BOTTOM_PX,
      firstSeq,
      lastKey,
      loaded: timeline.loaded,
    };
  };

  const canLoadOlder = () =>
    // After an error the reader retries with the button; no automatic retry loop.
    timeline.loaded && !timeline.loading && timeline.hasMore && !timeline.error;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const before = snap.current;
    let firstPaint = false;
    if (!before || (!before.loaded && timeline.loaded) || (before.firstSeq === 0 && firstSeq !== 0)) {
      // First paint of this conversation: start at the newest message (or at a jump's target, below).
      el.scrollTop = el.scrollHeight;
      firstPaint = true;
    } else if (firstSeq < before.firstSeq && before.firstSeq !== 0) {
      // Older messages were inserted above: keep the same messages in view.
      el.scrollTop = before.scrollTop + (el.scrollHeight - before.scrollHeight);
    } else if (lastKey !== before.lastKey) {
      const newest = timeline.messages[timeline.messages.length - 1];
      const mine = timeline.pending.length > 0 || newest?.senderId === me?.userId;
      if (before.atBottom || mine) el.scrollTop = el.scrollHeight;
    }
    // A jump: centre the message once per list (a list mounted again, e.g.
    // when the chat view re-renders around it, centres it again).
    const focusKey = focus && focus.conversationId === conversationId && !focus.missing ? `${focus.seq}` : '';
    // Live messages can be held before the first history page (loaded) arrives; its first paint must not undo the jump.
    if (focusKey && (centred.current !== focusKey || firstPaint)) {
      const target = el.querySelector<HTMLElement>(`[data-seq="${focus!.seq}"]`);
      if (target) {
        // Centre the message in the list (not scrollIntoView: that could scroll the page too).
        const at = target.getBoundingClientRect();
        el.scrollTop += at.top - el.getBoundingClientRect().top - (el.clientHeight - at.height) / 2;
        centred.current = focusKey;
        jumped.current = true;
        setHighlighted(focus!.seq);
      }
    }
    remember(el);
    // The page does not fill the view, so there is nothing to scroll: fetch more now (not right after a jump).
    if (!jumped.current && canLoadOlder() && el.scrollHeight <= el.clientHeight + 1) onLoadOlder();
  });
  useEffect(() => {
    if (highlighted === undefined) return;
    const t = setTimeout(() => {
      setHighlighted(undefined);
      app.focus.set(undefined); // done with this jump
    }, 4000);
    return () => clearTimeout(t);
  }, [highlighted]);

  return (
    <div
      class="messages"
      ref={ref}
      onScroll={(e) => {
        const el = e.currentTarget;
        const previousTop = snap.current?.scrollTop ?? el.scrollTop;
        if (el.scrollTop !== previousTop) jumped.current = false; // the reader moves on from the jump
        remember(el);
        // Only the reader scrolling up near the top asks for more, not our own jumps to the bottom.
        if (el.scrollTop < previousTop && el.scrollTop < LOAD_OLDER_AT_PX && canLoadOlder()) onLoadOlder();
      }}
      tabIndex={0}
      aria-label="Messages"
      role="region"
      data-testid="messages"
    >
      <div class="messages__top">
        {timeline.loading ? (
          <p class="messages__status" role="status">
            <span class="spinner" aria-hidden="true" /> Loading messages…
          </p>
        ) : timeline.error ? (
          <p class="error" role="alert">
            {timeline.error}{' '}
            <button type="button" class="link" onClick={onLoadOlder}>
              Try again
            </button>
          </p>
        ) : timeline.loaded && timeline.hasMore ? (
          <button type="button" class="link" onClick={onLoadOlder} data-testid="load-older">
            Load older messages
          </button>
        ) : timeline.loaded ? (
          <p class="messages__status">Beginning of the conversation</p>
        ) : null}
      </div>
      <ol class="messages__list" aria-label="Message history">
        {visible.map((m) => (
          <Fragment key={m.seq}>
            {starts.has(m.seq) && (
              <li class="msg-date" role="separator" data-testid="date-separator">
                {dayLabel(m.serverTime)}
              </li>
            )}
            <MessageItem message={m} view={folded.views.get(m.seq)} ops={ops} selfId={me?.userId} group={group} peerReadSeq={peerReadSeq} nameOf={nameOf} highlighted={highlighted === m.seq} />
          </Fragment>
        ))}
        {timeline.pending.map((p) => (
          <PendingItem key={p.clientMsgId} pending={p} onRetry={onRetry} />
        ))}
      </ol>
      {focus && focus.conversationId === conversationId && focus.missing && (
        <p class="messages__status" role="status" data-testid="jump-missing">
          That message is too far back to open here; scroll up to reach it.{' '}
          <button type="button" class="link" onClick={() => app.focus.set(undefined)}>
            Dismiss
          </button>
        </p>
      )}
      {actionError && (
        <p class="error" role="alert" data-testid="action-error">
          {actionError}
        </p>
      )}
    </div>
  );
}
