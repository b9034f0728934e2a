/**
 * Danmaku: recent room messages float right to left in lanes over the stage.
 * The same messages are listed below for screen readers and for anyone with
 * reduced motion (then the flying layer is hidden by CSS).
 */
import type { RoomMessage } from '@xinbox/protocol';
import { contentPreview } from '../state/conversation-view.js';

const LANES = 6;
const FLYING = 24;

export function DanmakuStage({ messages, nameOf }: { messages: readonly RoomMessage[]; nameOf: (userId: string) => string }) {
  const flying = messages.slice(-FLYING);
  const offset = messages.length - flying.length;
  return (
    <div class="danmaku">
      <div class="danmaku__stage" aria-hidden="true" data-testid="danmaku-stage">
        {flying.map((m, i) => (
          <span
            key={m.id !== '0' ? m.id : `${m.serverTime}-${offset + i}`}
            class={`danmaku__item ${m.seq > 0 ? 'danmaku__item--reliable' : ''}`}
            style={{ '--lane': String((offset + i) % LANES), '--delay': `${(i % 3) * 0.15}s` }}
          >
            {contentPreview(m)}
          </span>
        ))}
      </div>
      <ol class="danmaku__log" aria-label="Room messages" aria-live="polite">
        {messages.slice(-50).map((m, i) => (
          <li key={`${m.id}-${i}`}>
            <strong>{nameOf(m.senderId)}:</strong> {contentPreview(m)}
          </li>
        ))}
      </ol>
    </div>
  );
}
