import sharp from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';

/** Longest side of each thumbnail variant ("thumb160" ...). */
export const THUMBNAIL_SIZES = [160, 320, 640] as const;

export interface DerivedImage {
  readonly width: number;
  readonly height: number;
  readonly placeholder: Uint8Array;
  /** variant name → WebP bytes (EXIF orientation applied, metadata stripped). */
  readonly thumbnails: Map<string, Buffer>;
}

/**
 * Thumbnails and a ThumbHash placeholder of an image (or a video poster).
 * sharp runs in libuv's thread pool, so the event loop only waits on
 * promises. Orientation: `rotate()` applies the EXIF orientation; sharp
 * writes no metadata unless asked, so EXIF/GPS are stripped from every
 * derived file (the original is kept byte for byte: its hash is its name).
 * Thumbnails never enlarge; an image smaller than a size gets no variant of it.
 */
export async function deriveImage(path: string): Promise<DerivedImage> {
  const meta = await sharp(path).metadata();
  const swap = (meta.orientation ?? 1) >= 5;
  const width = (swap ? meta.height : meta.width) ?? 0;
  const height = (swap ? meta.width : meta.height) ?? 0;
  const thumbnails = new Map<string, Buffer>();
  const longest = Math.max(width, height);
  for (const size of THUMBNAIL_SIZES) {
    if (size >= longest && size !== THUMBNAIL_SIZES[0]) break;
    const bytes = await sharp(path, { animated: false }).rotate()
      .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 78 })
      .toBuffer();
    thumbnails.set(`thumb${size}`, bytes);
  }
  return { width, height, placeholder: await thumbHash(path), thumbnails };
}

/** ThumbHash of the oriented image scaled into 100×100 (about 25 bytes). */
export async function thumbHash(path: string | Buffer): Promise<Uint8Array> {
  const { data, info } = await sharp(path, { animated: false }).rotate()
    .resize({ width: 100, height: 100, fit: 'inside' })
    .ensureAlpha().raw()
    .toBuffer({ resolveWithObject: true });
  return rgbaToThumbHash(info.width, info.height, data);
}
