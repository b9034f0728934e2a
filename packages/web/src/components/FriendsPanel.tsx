/**
 * Friends: send a friend request with a note, answer (accept / decline) or
 * cancel pending ones, the friend list, and the blocklist. Everything updates
 * live from the relationship change feed (every device of the user).
 */
import { useEffect, useState } from 'preact/hooks';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { useAsyncAction } from './use-async-action.js';

export function FriendsPanel() {
  const { relations, router } = useServices();
  const incoming = useStore(relations.incoming);
  const outgoing = useStore(relations.outgoing);
  const friends = useStore(relations.friends);
  const blocked = useStore(relations.blocked);
  const [username, setUsername] = useState('');
  const [note, setNote] = useState('');
  const [blockName, setBlockName] = useState('');
  const send = useAsyncAction(async () => {
    await relations.sendRequest(username, note);
    setUsername('');
    setNote('');
  });
  const block = useAsyncAction(async () => {
    await relations.block(blockName);
    setBlockName('');
  });
  const act = useAsyncAction(async (work: () => Promise<void>) => work());

  useEffect(() => {
    void relations.refresh();
  }, [relations]);

  return (
    <section class="panel" aria-labelledby="friends-title" data-testid="friends">
      <header class="panel__header">
        <button type="button" class="icon-btn chat__back" onClick={() => router.go({ kind: 'list' })} aria-label="Back to conversations">
          <span aria-hidden="true">←</span>
        </button>
        <h2 id="friends-title">Friends</h2>
      </header>
      <div class="panel__body">
        <form class="form panel__form" aria-label="Add a friend" onSubmit={(e) => { e.preventDefault(); void send.run(); }}>
          <label class="field">
            <span>Username</span>
            <input name="friend-username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} autoComplete="off" />
          </label>
          <label class="field">
            <span>Note</span>
            <input name="friend-note" maxLength={200} value={note} onInput={(e) => setNote(e.currentTarget.value)} placeholder="Hi, it's me" />
          </label>
          {send.error && <p class="error" role="alert">{send.error}</p>}
          <button type="submit" class="btn btn--primary" disabled={send.busy}>Send friend request</button>
        </form>
        {act.error && <p class="error" role="alert">{act.error}</p>}

        <h3>Requests to you</h3>
        <ul class="people" data-testid="incoming-requests">
          {incoming.length === 0 && <li class="people__empty">None</li>}
          {incoming.map((r) => (
            <li key={r.requestId} class="people__row" data-request={r.requestId} data-peer={r.peerName}>
              <span class="people__name">{r.peerName}</span>
              {r.note && <span class="people__note">“{r.note}”</span>}
              <button type="button" class="btn btn--primary" onClick={() => void act.run(() => relations.respond(r.requestId, true))}>Accept</button>
              <button type="button" class="btn" onClick={() => void act.run(() => relations.respond(r.requestId, false))}>Decline</button>
            </li>
          ))}
        </ul>

        <h3>Sent requests</h3>
        <ul class="people" data-testid="outgoing-requests">
          {outgoing.length === 0 && <li class="people__empty">None</li>}
          {outgoing.map((r) => (
            <li key={r.requestId} class="people__row" data-request={r.requestId} data-peer={r.peerName}>
              <span class="people__name">{r.peerName}</span>
              {r.note && <span class="people__note">“{r.note}”</span>}
              <button type="button" class="btn" onClick={() => void act.run(() => relations.cancel(r.requestId))}>Cancel</button>
            </li>
          ))}
        </ul>

        <h3>Friends</h3>
        <ul class="people" data-testid="friend-list">
          {friends.length === 0 && <li class="people__empty">No friends yet</li>}
          {friends.map((p) => (
            <li key={p.userId} class="people__row" data-peer={p.name}>
              <span class="people__name">{p.name}</span>
              <button type="button" class="btn" onClick={() => void act.run(() => relations.removeFriend(p.userId))}>Remove</button>
            </li>
          ))}
        </ul>

        <h3>Blocked</h3>
        <form class="form panel__form panel__form--inline" aria-label="Block a user" onSubmit={(e) => { e.preventDefault(); void block.run(); }}>
          <label class="field">
            <span>Username</span>
            <input name="block-username" required value={blockName} onInput={(e) => setBlockName(e.currentTarget.value)} autoComplete="off" />
          </label>
          <button type="submit" class="btn" disabled={block.busy}>Block</button>
          {block.error && <p class="error" role="alert">{block.error}</p>}
        </form>
        <ul class="people" data-testid="blocklist">
          {blocked.length === 0 && <li class="people__empty">Nobody</li>}
          {blocked.map((p) => (
            <li key={p.userId} class="people__row" data-peer={p.name}>
              <span class="people__name">{p.name}</span>
              <button type="button" class="btn" onClick={() => void act.run(() => relations.unblock(p.userId))}>Unblock</button>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
