import { open } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';
import type { MediaKind } from '../core/ports/media-catalog.js';

/** Bytes file-type needs to recognise every format it knows. */
const HEAD_BYTES = 4100;

/**
 * The type of a staged upload, from its first bytes only (the client's
 * Content-Type is never consulted). Unknown binary is
 * application/octet-stream, text without a signature text/plain is not
 * guessed: it stays octet-stream, a "file".
 */
export async function sniffFile(path: string): Promise<{ mimeType: string; kind: MediaKind }> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
    const type = await fileTypeFromBuffer(head.subarray(0, bytesRead));
    const mimeType = type?.mime ?? 'application/octet-stream';
    return { mimeType, kind: kindOf(mimeType) };
  } finally {
    await fh.close();
  }
}

export function kindOf(mimeType: string): MediaKind {
  if (mimeType.startsWith('image/') && RASTER.has(mimeType)) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  return 'file';
}

/** Images sharp decodes and browsers show; others (e.g. PSD, ICO) are plain files. */
const RASTER = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/heic', 'image/heif', 'image/tiff']);
