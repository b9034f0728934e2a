/**
 * Writing a message: Enter sends, Shift+Enter starts a new line. Emoji come
 * from a picker row. Files are attached with the 📎 button, pasted
 * (Ctrl+V of a picture) or dropped on the chat, and uploaded over the media
 * channel; 🎤 records a voice message; 🔗 sends a link to media hosted
 * elsewhere.
 */
import { Limits } from '@xinbox/protocol';
import { useRef, useState } from 'preact/hooks';
import type { ContentInit } from '@xinbox/sdk';
import { AttachDialog } from './AttachDialog.js';
import { EmojiPicker } from './EmojiPicker.js';
import { VoiceRecorder } from './VoiceRecorder.js';

interface Props {
  label: string;
  onSend: (content: ContentInit) => void;
  onTyping: () => void;
  /** Files picked, pasted or dropped: upload and send each. */
  onFiles: (files: File[]) => void;
  /** A recorded voice clip. */
  onVoice: (clip: Blob) => void;
}

const utf8 = new TextEncoder();

export function Composer({ label, onSend, onTyping, onFiles, onVoice }: Props) {
  const [text, setText] = useState('');
  const [emojiOpen, setEmojiOpen] = useState(false);
  const [attachOpen, setAttachOpen] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const tooLong = text.length > Limits.maxTextBytes / 4 && utf8.encode(text).length > Limits.maxTextBytes;

  const send = () => {
    const t = text.trim();
    if (!t || tooLong) return;
    onSend({ kind: { case: 'text', value: { text: t } } });
    setText('');
    input.current?.focus();
  };

  const insert = (emoji: string) => {
    const el = input.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + emoji + text.slice(end);
    setText(next);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      el.selectionStart = el.selectionEnd = start + emoji.length;
    });
  };

  return (
    <div class="composer">
      {emojiOpen && (
        <EmojiPicker
          onPick={insert}
          onClose={() => {
            setEmojiOpen(false);
            input.current?.focus();
          }}
        />
      )}
      <form
        class="composer__row"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <button
          type="button"
          class="icon-btn"
          aria-label={emojiOpen ? 'Hide emoji' : 'Show emoji'}
          aria-expanded={emojiOpen}
          onClick={() => setEmojiOpen(!emojiOpen)}
        >
          <span aria-hidden="true">😊</span>
        </button>
        <button type="button" class="icon-btn" aria-label="Attach a picture, video or file" data-testid="attach" onClick={() => picker.current?.click()}>
          <span aria-hidden="true">📎</span>
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            e.currentTarget.value = '';
            if (files.length) onFiles(files);
          }}
        />
        <button type="button" class="icon-btn" aria-label="Send a link to media hosted elsewhere" aria-haspopup="dialog" onClick={() => setAttachOpen(true)}>
          <span aria-hidden="true">🔗</span>
        </button>
        <VoiceRecorder onClip={onVoice} />
        <textarea
          ref={input}
          class="composer__input"
          rows={1}
          value={text}
          placeholder="Write a message…"
          aria-label={label}
          aria-invalid={tooLong}
          data-testid="composer"
          autoFocus
          onInput={(e) => {
            setText(e.currentTarget.value);
            onTyping();
          }}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])];
            if (files.length === 0) return;
            e.preventDefault();
            onFiles(files);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            } else if (e.key === 'Escape' && emojiOpen) {
              e.preventDefault();
              setEmojiOpen(false);
            }
          }}
        />
        <button type="submit" class="btn btn--primary composer__send" disabled={!text.trim() || tooLong}>
          Send
        </button>
      </form>
      {tooLong && (
        <p class="error" role="alert">
          The message is too long.
        </p>
      )}
      {attachOpen && (
        <AttachDialog
          onClose={() => {
            setAttachOpen(false);
          }}
          onAttach={(content) => {
            setAttachOpen(false);
            onSend(content);
          }}
        />
      )}
    </div>
  );
}
