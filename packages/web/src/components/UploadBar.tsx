/** Uploads of this conversation in progress: name, progress bar, cancel. */
import { useStore } from '../state/store.js';
import type { UploadQueue } from '../state/uploads.js';
import { formatBytes } from './format-bytes.js';

export function UploadBar({ uploads, conversationId }: { uploads: UploadQueue; conversationId: string }) {
  const items = useStore(uploads.items).filter((u) => u.conversationId === conversationId);
  if (items.length === 0) return null;
  return (
    <ul class="uploads" aria-label="Uploads">
      {items.map((u) => (
        <li key={u.id} class="upload" data-testid="upload">
          <span class="upload__name">{u.name}</span>
          <progress max={u.total} value={u.sent} aria-label={`Uploading ${u.name}`} />
          <span class="upload__size">{u.error ?? `${formatBytes(u.sent)} / ${formatBytes(u.total)}`}</span>
          <button type="button" class="link" onClick={() => uploads.cancel(u.id)} data-testid="upload-cancel">
            {u.error ? 'Dismiss' : 'Cancel'}
          </button>
        </li>
      ))}
    </ul>
  );
}
