/** Initial-letter avatar with an optional presence dot. */
import { PresenceDot } from './PresenceDot.js';

export function Avatar({ name, group = false, online }: { name: string; group?: boolean; online?: boolean | undefined }) {
  const letter = group ? '#' : (name.trim()[0] ?? '?').toUpperCase();
  return (
    <span class={`avatar ${group ? 'avatar--group' : ''}`} style={{ '--hue': String(hueOf(name)) }} aria-hidden="true">
      {letter}
      {online !== undefined && <PresenceDot online={online} decorative />}
    </span>
  );
}

/** A stable colour per name. */
function hueOf(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}
