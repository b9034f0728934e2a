/** Above the composer while replying: what is being quoted, and a way out. */
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';

export function ReplyPreview({ conversationId }: { conversationId: string }) {
  const { app } = useServices();
  const reply = useStore(app.replyTo);
  if (!reply || reply.conversationId !== conversationId) return null;
  return (
    <div class="reply-preview" data-testid="reply-preview">
      <span class="reply-preview__label">Replying to {reply.senderName}:</span> <span class="reply-preview__text">{reply.snippet}</span>
      <button type="button" class="icon-btn" aria-label="Cancel reply" onClick={() => app.replyTo.set(undefined)}>
        ✕
      </button>
    </div>
  );
}
