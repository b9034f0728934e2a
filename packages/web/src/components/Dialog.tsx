/**
 * A modal dialog on the native <dialog> element: it traps focus, Esc closes
 * it, and focus returns to the control that opened it.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** Extra class for sizing. */
  class?: string;
}

export function Dialog({ title, onClose, children, class: extra = '' }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (!d.open) d.showModal();
    return () => {
      if (d.open) d.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={`dialog ${extra}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        // Esc: let the owner unmount us rather than the browser closing behind its back.
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose(); // a click on the backdrop
      }}
    >
      <div class="dialog__body">
        <header class="dialog__header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" class="icon-btn" onClick={onClose} aria-label="Close dialog">
            <span aria-hidden="true">✕</span>
          </button>
        </header>
        {children}
      </div>
    </dialog>
  );
}
