import { ContentSchema, fromBinary, type Content } from '@xinbox/protocol';

/** Longest quoted text kept with a reply. */
export const SNIPPET_LENGTH = 120;

/** Stored content is server-checked; a row that does not decode is treated as empty. */
export function decodeStoredContent(bytes: Uint8Array): Content {
  try {
    return fromBinary(ContentSchema, bytes);
  } catch {
    return fromBinary(ContentSchema, new Uint8Array());
  }
}

/** What a reply shows of the message it quotes. */
export function snippetOf(content: Content): string {
  const k = content.kind;
  switch (k.case) {
    case 'text':
      return [...k.value.text].slice(0, SNIPPET_LENGTH).join('');
    case 'image':
    case 'video':
    case 'audio':
      return `[${k.case}]`;
    case 'file':
      return `[file] ${k.value.name}`.slice(0, SNIPPET_LENGTH);
    case 'custom':
      return `[${k.value.kind}]`.slice(0, SNIPPET_LENGTH);
    case 'system':
      return k.value.text.slice(0, SNIPPET_LENGTH);
    default:
      return '';
  }
}
