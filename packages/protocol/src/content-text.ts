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
/** Content's `kind` oneof uses fields 1..12 (15 reserved for it); reply = 16 and forwarded = 17 are not part of it. */
const KIND_FIELD_MAX = 15;

export function contentSearchText(bytes: Uint8Array): string {
  // Hot path (every send): plain loops, no closures or intermediate objects.
  let text = '';
  let at = 0;
  const end = bytes.length;
  while (at < end) {
    const tag = readVarint(bytes, at);
    if (tag < 0) return '';
    at = varintEnd;
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (wireType !== 2) {
      at = skip(bytes, at, wireType);
      if (at < 0) return '';
      continue;
    }
    const len = readVarint(bytes, at);
    if (len < 0 || varintEnd + len > end) return '';
    const start = varintEnd;
    at = start + len;
    if (field === 1) text = stringField(bytes, start, at, 1);
    else if (field === 2 || field === 3 || field === 4 || field === 7) text = stringField(bytes, start, at, 8);
    else if (field <= KIND_FIELD_MAX) text = ''; // another kind of the oneof replaces the text (last one wins)
    // reply (16) and forwarded (17) sit beside the kind: the text stays.
  }
  return text;
}

/** The last occurrence (protobuf: last one wins) of string field `wanted` in the sub-message [start, end). */
function stringField(bytes: Uint8Array, start: number, end: number, wanted: number): string {
  let found = -1;
  let foundEnd = -1;
  let at = start;
  while (at < end) {
    const tag = readVarint(bytes, at);
    if (tag < 0) return '';
    at = varintEnd;
    const wireType = tag & 7;
    if (wireType !== 2) {
      at = skip(bytes, at, wireType);
      if (at < 0 || at > end) return '';
      continue;
    }
    const len = readVarint(bytes, at);
    if (len < 0 || varintEnd + len > end) return '';
    if (tag >>> 3 === wanted) {
      found = varintEnd;
      foundEnd = varintEnd + len;
    }
    at = varintEnd + len;
  }
  return found < 0 ? '' : decoder.decode(bytes.subarray(found, foundEnd));
}

/** Skips a non-length-delimited value; -1 when malformed. */
function skip(bytes: Uint8Array, at: number, wireType: number): number {
  if (wireType === 0) return readVarint(bytes, at) < 0 ? -1 : varintEnd;
  if (wireType === 1) return at + 8 <= bytes.length ? at + 8 : -1;
  if (wireType === 5) return at + 4 <= bytes.length ? at + 4 : -1;
  return -1;
}

/** Position after the last varint read (module state instead of a returned pair: no allocation). */
let varintEnd = 0;

/** A varint below 2^31 (tags and lengths); -1 when truncated or larger. */
function readVarint(bytes: Uint8Array, at: number): number {
  let value = 0;
  for (let shift = 0; shift < 31; shift += 7) {
    if (at >= bytes.length) return -1;
    const b = bytes[at++]!;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      varintEnd = at;
      return value >>> 0 > 0x7fffffff ? -1 : value;
    }
  }
  return -1;
}
