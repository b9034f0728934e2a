/**
 * Writing a message: Enter sends, Shift+Enter starts a new line. Emoji come
 * from a picker row. Files are attached with the 📎 button, pasted
 * (Ctrl+V of a picture) or dropped on the chat, and uploaded over the media
 * channel; 🎤 records a voice message; 🔗 sends a link to media hosted
 * elsewhere.
 */
import { Limits } from '@xinbox/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ContentInit } from '@xinbox/sdk';
import { AttachDialog } from './AttachDialog.js';
import { EmojiPicker } from './EmojiPicker.js';
import { VoiceRecorder } from './VoiceRecorder.js';
import { MentionSuggestions } from './MentionSuggestions.js';
import { insertMention, mentionQueryAt, mentionsIn, suggestMentions, type MentionCandidate } from '../state/mentions.js';

/** What a text message mentions (groups): user ids and @all. */
export interface MentionInfo {
  readonly mentions: string[];
  readonly mentionAll: boolean;
}

interface Props {
  label: string;
  onSend: (content: ContentInit, mentions?: MentionInfo) => void;
  /** Group members to suggest after "@" (none: no suggestions). */
  mentionCandidates?: readonly MentionCandidate[];
  /** The user may mention @all (group owners and admins). */
  canMentionAll?: boolean;
  selfId?: string;
  onTyping: () => void;
  /** Files picked, pasted or dropped: upload and send each. */
  onFiles: (files: File[]) => void;
  /** A recorded voice clip. */
  onVoice: (clip: Blob) => void;
  /** The saved draft of this conversation (this or another device): restored while the box is empty. */
  draft?: string;
  /** The text changed (saved as the draft after a pause). */
  onDraft?: (text: string) => void;
}

const utf8 = new TextEncoder();

export function Composer({ label, onSend, onTyping, onFiles, onVoice, mentionCandidates = [], canMentionAll = false, selfId, draft = '', onDraft }: Props) {
  const [text, setText] = useState(draft);
  // A draft typed on another device or tab arrives later: take it while this box is empty.
  useEffect(() => {
    if (draft && !text) setText(draft);
    // Only a new draft should restore; typing must not re-run this.
  }, [draft]);
  const [caret, setCaret] = useState(0);
  const [picked, setPicked] = useState<MentionCandidate[]>([]);
  const [activeSuggestion, setActiveSuggestion] = useState(0);
  const [suggestionsClosed, setSuggestionsClosed] = useState(false);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const [attachOpen, setAttachOpen] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const tooLong = text.length > Limits.maxTextBytes / 4 && utf8.encode(text).length > Limits.maxTextBytes;

  const send = () => {
    const t = text.trim();
    if (!t || tooLong) return;
    const info = mentionsIn(t, picked, canMentionAll);
    onSend({ kind: { case: 'text', value: { text: t } } }, info.mentions.length > 0 || info.mentionAll ? info : undefined);
    setText('');
    onDraft?.('');
    setPicked([]);
    input.current?.focus();
  };

  const insert = (emoji: string) => {
    const el = input.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + emoji + text.slice(end);
    setText(next);
    requestAnimationFrame(() => {
      // Typed on already (a fast typist between the render and this frame): their caret is right, leave it.
      if (!el || el.value !== next) return;
      el.focus();
      el.selectionStart = el.selectionEnd = start + emoji.length;
    });
  };

  const at = mentionCandidates.length > 0 && !suggestionsClosed ? mentionQueryAt(text, caret) : undefined;
  const suggestions = at ? suggestMentions(at.query, mentionCandidates, selfId, canMentionAll) : [];
  const pick = (c: MentionCandidate) => {
    if (!at) return;
    const next = insertMention(text, at.start, caret, c.username);
    setText(next.text);
    setCaret(next.caret);
    setPicked((p) => [...p.filter((x) => x.userId !== c.userId), c]);
    requestAnimationFrame(() => {
      const el = input.current;
      // Typed on already (a fast typist between the render and this frame): their caret is right, leave it.
      if (!el || el.value !== next.text) return;
      el.focus();
      el.selectionStart = el.selectionEnd = next.caret;
    });
  };

  return (
    <div class="composer">
      <MentionSuggestions items={suggestions} active={Math.min(activeSuggestion, suggestions.length - 1)} onPick={pick} />
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
          aria-controls={suggestions.length > 0 ? 'mention-list' : undefined}
          aria-activedescendant={suggestions.length > 0 ? `mention-${suggestions[Math.min(activeSuggestion, suggestions.length - 1)]!.userId}` : undefined}
          onInput={(e) => {
            setText(e.currentTarget.value);
            onDraft?.(e.currentTarget.value);
            setCaret(e.currentTarget.selectionStart ?? e.currentTarget.value.length);
            setActiveSuggestion(0);
            setSuggestionsClosed(false);
            onTyping();
          }}
          onKeyUp={(e) => {
            if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') setCaret(e.currentTarget.selectionStart ?? 0);
          }}
          onClick={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])];
            if (files.length === 0) return;
            e.preventDefault();
            onFiles(files);
          }}
          onKeyDown={(e) => {
            if (suggestions.length > 0 && !e.isComposing) {
              const i = Math.min(activeSuggestion, suggestions.length - 1);
              if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                e.preventDefault();
                setActiveSuggestion((i + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
                return;
              }
              if (e.key === 'Enter' || e.key === 'Tab') {
                e.preventDefault();
                pick(suggestions[i]!);
                return;
              }
              if (e.key === 'Escape') {
                e.preventDefault();
                setSuggestionsClosed(true);
                return;
              }
            }
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
