/**
 * The media item as the HTTP media endpoints return it (docs/protocol.md, media):
 * one definition for the server that writes it and the SDK that reads it.
 */
export type MediaKind = 'image' | 'video' | 'audio' | 'file';

export interface MediaJson {
  readonly mediaId: string;
  readonly kind: MediaKind;
  readonly size: number;
  readonly mimeType: string;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly durationMs: number;
  readonly sha256: string;
  /** ThumbHash, base64 (decode with thumbhash's thumbHashToDataURL). */
  readonly placeholder: string;
  readonly variants: readonly string[];
  readonly createdAt: number;
}
