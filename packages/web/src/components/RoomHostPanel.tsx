/**
 * Host controls of a live room: pin a message, mute or remove a viewer (from
 * those who spoke recently), close the room. Shown only to the room's host.
 */
import { XinboxError } from '@xinbox/protocol';
import { useState } from 'preact/hooks';
import type { RoomView } from '../state/room-model.js';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';

export function RoomHostPanel({ view }: { view: RoomView }) {
  const { app, router } = useServices();
  const hosted = useStore(app.roomHost.hosted);
  const me = useStore(app.me);
  const names = useStore(app.directory.names);
  const [pin, setPin] = useState('');
  const [status, setStatus] = useState<string | undefined>(undefined);
  if (view.status !== 'joined' || !hosted.has(view.roomId)) return null;

  const roomId = view.roomId;
  const act = async (what: string, run: () => Promise<void>) => {
    try {
      await run();
      setStatus(what);
    } catch (err) {
      setStatus(err instanceof XinboxError ? `Could not do that: ${err.message}` : 'Could not do that.');
    }
  };
  const speakers = [...new Set(view.messages.map((m) => m.senderId))].filter((u) => u !== me?.userId).slice(-20);
  const nameOf = (u: string) => names.get(u) ?? `User ${u}`;

  return (
    <section class="room-host" aria-label="Host controls" data-testid="room-host">
      <form
        class="composer__row"
        onSubmit={(e) => {
          e.preventDefault();
          const t = pin.trim();
          if (!t) return;
          void act('Pinned.', () => app.roomHost.pin(roomId, t)).then(() => setPin(''));
        }}
      >
        <input class="composer__input" aria-label="Pinned message" placeholder="Pin a message for everyone…" value={pin} maxLength={200} onInput={(e) => setPin(e.currentTarget.value)} />
        <button type="submit" class="btn" disabled={!pin.trim()}>
          Pin
        </button>
        <button
          type="button"
          class="btn btn--danger"
          onClick={() =>
            void act('Room closed.', async () => {
              await app.roomHost.close(roomId);
              await app.room.leave();
              router.go({ kind: 'room', roomId: '' });
            })
          }
        >
          Close room
        </button>
      </form>
      {speakers.length > 0 && (
        <ul class="room-host__viewers" aria-label="Viewers who spoke">
          {speakers.map((u) => (
            <li key={u}>
              <span>{nameOf(u)}</span>
              <button type="button" class="link" onClick={() => void act(`${nameOf(u)} is muted for 10 minutes.`, () => app.roomHost.mute(roomId, u, 10))}>
                Mute {nameOf(u)}
              </button>
              <button type="button" class="link" onClick={() => void act(`${nameOf(u)} is unmuted.`, () => app.roomHost.unmute(roomId, u))}>
                Unmute
              </button>
              <button type="button" class="link" onClick={() => void act(`${nameOf(u)} was removed.`, () => app.roomHost.kick(roomId, u))}>
                Remove {nameOf(u)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {status && (
        <p class="notice" role="status" data-testid="room-host-status">
          {status}
        </p>
      )}
    </section>
  );
}
