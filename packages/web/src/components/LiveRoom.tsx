/**
 * A live room: join by id, watch messages fly across as danmaku, send your
 * own. Servers without rooms answer UNKNOWN_OPERATION; then the screen says
 * rooms are unavailable rather than showing an error.
 */
import { useEffect, useState } from 'preact/hooks';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { DanmakuStage } from './DanmakuStage.js';
import { RoomHostPanel } from './RoomHostPanel.js';
import { OpenRoomButton } from './OpenRoomButton.js';

export function LiveRoom({ initialRoomId }: { initialRoomId: string }) {
  const { app, router } = useServices();
  const view = useStore(app.room.view);
  const me = useStore(app.me);
  const names = useStore(app.directory.names);
  const [roomId, setRoomId] = useState(initialRoomId || view.roomId || 'lobby');
  const [text, setText] = useState('');

  useEffect(() => {
    if (initialRoomId) void app.room.join(initialRoomId);
  }, [app, initialRoomId]);

  const join = (e: Event) => {
    e.preventDefault();
    router.go({ kind: 'room', roomId: roomId.trim() });
  };
  const send = (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return;
    void app.room.send(text);
    setText('');
  };
  const nameOf = (id: string) => (id === me?.userId ? 'You' : (names.get(id) ?? `User ${id}`));

  return (
    <section class="room" aria-labelledby="room-title">
      <header class="chat__header">
        <button type="button" class="icon-btn chat__back" onClick={() => router.go({ kind: 'list' })} aria-label="Back to conversations">
          <span aria-hidden="true">←</span>
        </button>
        <div class="chat__heading">
          <h2 id="room-title">Live room{view.status === 'joined' ? `: ${view.roomId}` : ''}</h2>
          <p class="chat__sub">{view.status === 'joined' ? `${view.audience} watching` : 'Join a room to watch its live chat'}</p>
        </div>
        {view.status === 'joined' && (
          <button
            type="button"
            class="btn"
            onClick={() => {
              void app.room.leave();
              router.go({ kind: 'room', roomId: '' });
            }}
          >
            Leave
          </button>
        )}
      </header>

      <form class="form form--inline room__join" onSubmit={join}>
        <label class="field">
          <span>Room id</span>
          <input name="room-id" required value={roomId} onInput={(e) => setRoomId(e.currentTarget.value)} autoComplete="off" />
        </label>
        <button type="submit" class="btn btn--primary" disabled={view.status === 'joining'}>
          {view.status === 'joining' ? 'Joining…' : 'Join'}
        </button>
        <OpenRoomButton roomId={roomId} />
      </form>

      {view.status === 'unavailable' && (
        <div class="unavailable" role="alert" data-testid="rooms-unavailable">
          <p class="unavailable__title">Live rooms are unavailable</p>
          <p>This server does not support live rooms yet. Conversations and groups work as usual.</p>
        </div>
      )}
      {view.status === 'error' && (
        <p class="error room__error" role="alert" data-testid="room-error">
          {view.error}
        </p>
      )}
      {view.notice && (
        <p class="notice room__error" role="status">
          {view.notice}
        </p>
      )}

      {view.status === 'joined' && (
        <>
          <DanmakuStage messages={view.messages} nameOf={nameOf} />
          <RoomHostPanel view={view} />
          <form class="composer__row room__send" onSubmit={send}>
            <input
              class="composer__input"
              aria-label={`Send to room ${view.roomId}`}
              placeholder="Say something…"
              value={text}
              maxLength={200}
              onInput={(e) => setText(e.currentTarget.value)}
            />
            <button type="submit" class="btn btn--primary" disabled={!text.trim()}>
              Send
            </button>
          </form>
        </>
      )}
    </section>
  );
}
