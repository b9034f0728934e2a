/** A dialog holding one form: the fields it is given, an error line, Cancel and a submit button. */
import type { ComponentChildren } from 'preact';
import { Dialog } from './Dialog.js';

export interface FormDialogProps {
  readonly title: string;
  readonly submitLabel: string;
  readonly onClose: () => void;
  readonly onSubmit: () => void;
  readonly error?: string | null;
  readonly busy?: boolean;
  readonly children: ComponentChildren;
}

export function FormDialog({ title, submitLabel, onClose, onSubmit, error, busy = false, children }: FormDialogProps) {
  return (
    <Dialog title={title} onClose={onClose}>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        {children}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="form__actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn--primary" disabled={busy}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
