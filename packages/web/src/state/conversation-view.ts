/** How conversations and messages are named and previewed in the UI. */
import { ConversationKind, type ConversationSummary, type Message } from '@xinbox/protocol';

type NameLookup = (userId: string) => string | undefined;

export function conversationTitle(c: ConversationSummary, nameOf: NameLookup): string {
  if (c.title) return c.title;
  if (c.kind === ConversationKind.DIRECT) return (c.peerId && nameOf(c.peerId)) || 'Direct chat';
  return c.kind === ConversationKind.GROUP ? 'Group' : 'Conversation';
}

export function isGroup(c: ConversationSummary | undefined): boolean {
  return c?.kind === ConversationKind.GROUP;
}

/** One line describing a message's content, for lists and screen-reader announcements. */
export function contentPreview(m: { content?: Message['content']; hidden?: boolean } | undefined): string {
  if (!m) return '';
  if (m.hidden) return 'Hidden message';
  const k = m.content?.kind;
  switch (k?.case) {
    case 'text':
      return k.value.text;
    case 'image':
      return `🖼 ${k.value.name || 'Image'}`;
    case 'video':
      return `🎬 ${k.value.name || 'Video'}`;
    case 'audio':
      return `🔊 ${k.value.name || 'Audio'}`;
    case 'file':
      return `📎 ${k.value.name || 'File'}`;
    case 'system':
      return k.value.text || 'Conversation updated';
    case 'custom':
      return `[${k.value.kind || 'custom message'}]`;
    default:
      return '';
  }
}

export function senderName(senderId: string, selfId: string | undefined, nameOf: NameLookup): string {
  if (senderId === selfId) return 'You';
  return nameOf(senderId) ?? `User ${senderId}`;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** Today: 14:05; earlier: 3 Mar. */
export function shortTime(ms: number, now = Date.now()): string {
  if (!ms) return '';
  const d = new Date(ms);
  return new Date(now).toDateString() === d.toDateString() ? timeFmt.format(d) : dayFmt.format(d);
}

export function clockTime(ms: number): string {
  return ms ? timeFmt.format(new Date(ms)) : '';
}
