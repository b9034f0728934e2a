/** The full picture over the app; Esc, the close button or a click outside closes it. */
import { useEffect, useRef } from 'preact/hooks';

export function Lightbox({ src, alt, onClose }: { src: string; alt: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="lightbox"
      data-testid="lightbox"
      aria-label={alt}
      onClose={onClose}
      onClick={(e) => {
        if (e.target === dialog.current) dialog.current?.close();
      }}
    >
      <img src={src} alt={alt} data-testid="lightbox-image" />
      <button type="button" class="icon-btn lightbox__close" aria-label="Close picture" onClick={() => dialog.current?.close()}>
        <span aria-hidden="true">✕</span>
      </button>
    </dialog>
  );
}
