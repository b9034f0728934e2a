/**
 * Attach an image or a file by URL. The upload channel is not built yet, so
 * a media message is a reference (url, name, type) to something hosted elsewhere.
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
    <FormDialog title="Attach" submitLabel={`Send ${kind}`} onClose={onClose} onSubmit={submit} error={error}>
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
      <p class="hint">Uploading is coming; for now the message links to where the file is hosted.</p>
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
