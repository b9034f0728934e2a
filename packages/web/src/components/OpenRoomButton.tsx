/** "Open as host": creates the live room with the typed id (the user becomes its host) and joins it. */
import { XinboxError } from '@xinbox/protocol';
import { useState } from 'preact/hooks';
import { useServices } from './app-context.js';

export function OpenRoomButton({ roomId }: { roomId: string }) {
  const { app, router } = useServices();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button
        type="button"
        class="btn"
        disabled={busy || !roomId.trim()}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await app.roomHost.open(roomId);
            await app.room.join(roomId.trim());
            router.go({ kind: 'room', roomId: roomId.trim() });
          } catch (err) {
            setError(err instanceof XinboxError ? err.message : 'Could not open the room.');
          } finally {
            setBusy(false);
          }
        }}
      >
        Open as host
      </button>
      {error && (
        <p class="error" role="alert" data-testid="room-open-error">
          {error}
        </p>
      )}
    </>
  );
}
