/** Live rooms on this node, largest first (polled): viewers, and closing a room (every viewer is told). */
import { useState } from 'preact/hooks';
import type { AdminApi } from './admin-api.js';
import { closeRoom, liveRooms, type AdminRoom } from './groups-rooms-api.js';
import { usePolling } from './use-polling.js';

export function RoomsPanel({ api }: { api: AdminApi }) {
  const [rooms, setRooms] = useState<AdminRoom[]>([]);
  const [error, setError] = useState('');
  const refresh = () => liveRooms(api).then(setRooms, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  usePolling(refresh, 2_000, [api]);
  const close = async (roomId: string) => {
    setError('');
    try {
      await closeRoom(api, roomId);
      await refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section class="admin__panel" aria-labelledby="rooms-title" data-testid="admin-rooms">
      <h2 id="rooms-title">Live rooms</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {rooms.length === 0 && <p class="admin__empty">No room has viewers on this node.</p>}
      <ul class="admin__list">
        {rooms.map((r) => (
          <li key={r.roomId} class="admin__report" data-testid="admin-room" data-room-id={r.roomId}>
            <strong>{r.clientRoomId}</strong>{r.appId !== 'default' && <> (app {r.appId})</>} · {r.audience} watching ({r.localViewers} here) · viewers {r.viewerIds.join(', ')}{' '}
            <button type="button" class="btn btn--danger" onClick={() => void close(r.roomId)}>Close {r.roomId}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
