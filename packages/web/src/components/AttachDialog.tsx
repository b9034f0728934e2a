/**
 * Send a link to an image or a file hosted elsewhere (an external media
 * reference: url, name, type). Uploading goes through the 📎 button instead.
 */
import { Limits } from '@xinbox/protocol';
import { useState } from 'preact/hooks';
import type { ContentInit } from '@xinbox/sdk';
import { FormDialog } from './FormDialog.js';
import { safeUrl } from './MessageContent.js';

type Kind = 'image' | 'file';

export function AttachDialog({ onClose, onAttach }: { onClose: () => void; onAttach: (content: ContentInit) => void }) {
  const [kind, setKind] = useState<Kind>('image');
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState('');

  const submit = () => {
    const href = safeUrl(url.trim());
    if (!href || href.length > Limits.maxUrlLength) {
      setError('Enter an http or https address.');
      return;
    }
    const media = { url: href, name: name.trim() || undefined, mimeType: guessMime(href, kind) };
    onAttach(kind === 'image' ? { kind: { case: 'image', value: media } } : { kind: { case: 'file', value: media } });
  };

  return (
    <FormDialog title="Link to media" submitLabel={`Send ${kind}`} onClose={onClose} onSubmit={submit} error={error}>
      <fieldset class="field field--choice">
        <legend>Type</legend>
        <label>
          <input type="radio" name="kind" value="image" checked={kind === 'image'} onChange={() => setKind('image')} /> Image
        </label>
        <label>
          <input type="radio" name="kind" value="file" checked={kind === 'file'} onChange={() => setKind('file')} /> File
        </label>
      </fieldset>
      <label class="field">
        <span>Address (URL)</span>
        <input type="url" name="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://…" autoFocus />
      </label>
      <label class="field">
        <span>Name (optional)</span>
        <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} maxLength={200} />
      </label>
      <p class="hint">The message links to where the file is hosted. To upload a file, use 📎, paste or drop it.</p>
    </FormDialog>
  );
}

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  zip: 'application/zip',
  txt: 'text/plain',
};

function guessMime(url: string, kind: Kind): string {
  const ext = new URL(url).pathname.split('.').pop()?.toLowerCase() ?? '';
  return MIME[ext] ?? (kind === 'image' ? 'image/*' : 'application/octet-stream');
}
