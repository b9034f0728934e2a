import { ContentSchema, Errors, Limits, toBinary, XinboxError, type Content, type Media } from '@xinbox/protocol';

const encoder = new TextEncoder();

/**
 * Validate message content sent by a client and encode it for storage.
 * System notices are server-only: clients may not forge them.
 */
export function validateContent(content: Content | undefined): Uint8Array {
  const kind = content?.kind;
  if (!content || !kind || kind.case === undefined) throw new XinboxError(Errors.CONTENT_INVALID, 'content is required');
  switch (kind.case) {
    case 'text': {
      const text = kind.value.text;
      if (text.length === 0) throw new XinboxError(Errors.CONTENT_INVALID, 'text is empty');
      if (text.length * 3 > Limits.maxTextBytes && encoder.encode(text).length > Limits.maxTextBytes) {
        throw new XinboxError(Errors.MESSAGE_TOO_LARGE, `text exceeds ${Limits.maxTextBytes} bytes`);
      }
      break;
    }
    case 'image':
    case 'video':
    case 'file':
    case 'audio':
      validateMedia(kind.value, kind.case);
      break;
    case 'custom':
      if (kind.value.data.length > Limits.maxCustomBytes) throw new XinboxError(Errors.MESSAGE_TOO_LARGE, `custom data exceeds ${Limits.maxCustomBytes} bytes`);
      if (kind.value.kind.length > 64) throw new XinboxError(Errors.CONTENT_INVALID, 'custom kind is longer than 64 characters');
      break;
    case 'system':
      throw new XinboxError(Errors.PERMISSION_DENIED, 'system notices are written by the server only');
    default:
      throw new XinboxError(Errors.CONTENT_INVALID, 'unknown content kind');
  }
  return toBinary(ContentSchema, content);
}

function validateMedia(m: Media, kind: string): void {
  if (!m.url || m.url.length > Limits.maxUrlLength || !/^(https?:\/\/|xinbox:\/\/)/.test(m.url)) {
    throw new XinboxError(Errors.CONTENT_INVALID, `${kind} needs an http(s) url of at most ${Limits.maxUrlLength} characters`);
  }
  if (m.thumbnailUrl.length > Limits.maxUrlLength) throw new XinboxError(Errors.CONTENT_INVALID, 'thumbnail url is too long');
  if (!Number.isFinite(m.size) || m.size < 0 || !Number.isInteger(m.size)) throw new XinboxError(Errors.CONTENT_INVALID, 'size must be a non-negative integer');
  if (m.mimeType.length > 128 || m.name.length > 256) throw new XinboxError(Errors.CONTENT_INVALID, 'mime type or name is too long');
}
