/**
 * The searchable text of an encoded xinbox.v1.Content, read straight off the
 * bytes (no protobuf reflection, no object graph): the text of a Text, the
 * file name of an image, video, file or audio. Custom payloads and system
 * notices have none (""). Tested against protobuf-es decoding.
 *
 * Content: text = 1 (Text.text = 1); image = 2, video = 3, file = 4,
 * audio = 7 (Media.name = 8).
 */
const decoder = new TextDecoder();

export function contentSearchText(bytes: Uint8Array): string {
  try {
    let text = '';
    forEachField(bytes, 0, bytes.length, (field, start, end) => {
      if (field === 1) text = stringField(bytes, start, end, 1);
      else if (field === 2 || field === 3 || field === 4 || field === 7) text = stringField(bytes, start, end, 8);
      else text = '';
    });
    return text;
  } catch {
    return '';
  }
}

/** The last occurrence of string field `wanted` inside a sub-message (protobuf: last one wins). */
function stringField(bytes: Uint8Array, start: number, end: number, wanted: number): string {
  let found = '';
  forEachField(bytes, start, end, (field, s, e) => {
    if (field === wanted) found = decoder.decode(bytes.subarray(s, e));
  });
  return found;
}

/** Calls `fn` for each length-delimited field in [start, end); skips the other wire types. */
function forEachField(bytes: Uint8Array, start: number, end: number, fn: (field: number, start: number, end: number) => void): void {
  let at = start;
  while (at < end) {
    const [tag, afterTag] = readVarint(bytes, at);
    at = afterTag;
    const wireType = tag % 8;
    const field = Math.floor(tag / 8);
    switch (wireType) {
      case 0: at = readVarint(bytes, at)[1]; break;
      case 1: at += 8; break;
      case 5: at += 4; break;
      case 2: {
        const [len, afterLen] = readVarint(bytes, at);
        at = afterLen + len;
        if (at > end) throw new RangeError('truncated field');
        fn(field, afterLen, at);
        break;
      }
      default: throw new RangeError(`unsupported wire type ${wireType}`);
    }
  }
}

function readVarint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (at >= bytes.length) throw new RangeError('truncated varint');
    const b = bytes[at++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, at];
    scale *= 128;
  }
  throw new RangeError('varint too long');
}
