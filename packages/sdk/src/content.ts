/** Helpers for building message content. */
import type { ContentInit } from './frame-types.js';

export type ContentInput = string | ContentInit;

/** A plain string becomes a text message; anything else is used as is. */
export function toContent(input: ContentInput): ContentInit {
  return typeof input === 'string' ? { kind: { case: 'text', value: { text: input } } } : input;
}

/** The text of a text message, or undefined for other content kinds. */
export function textOf(content: { kind: { case?: string; value?: unknown } } | undefined): string | undefined {
  return content?.kind.case === 'text' ? (content.kind.value as { text: string }).text : undefined;
}
