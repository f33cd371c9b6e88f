/**
 * A modal dialog on the native <dialog> element: the browser traps focus inside, Esc closes it and
 * focus returns to what opened it. Rendered only while open. On opening, the focus goes to the
 * element marked data-autofocus, else the first field of its form (not the Close button).
 */
import { type ReactNode, useEffect, useRef } from 'react';

type DialogProps = {
  title: string;
  onClose: () => void;
  children: ReactNode;
};

export function Dialog({ title, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      dialog.showModal();
      const first =
        dialog.querySelector<HTMLElement>('[data-autofocus]') ??
        dialog.querySelector<HTMLElement>('form :is(input:not([type="hidden"]), select, textarea)');
      first?.focus();
    }
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="dialog-title"
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-header">
        <h2 id="dialog-title">{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {children}
    </dialog>
  );
}

type ActionsProps = {
  /** The submit button's words, and what it says while the form is being saved. */
  submitLabel: string;
  pendingLabel?: string;
  isPending: boolean;
  onCancel: () => void;
};

/** A form dialog's footer: Cancel, then the form's submit button, disabled while saving. */
export function DialogActions({ submitLabel, pendingLabel = 'Saving…', isPending, onCancel }: ActionsProps) {
  return (
    <footer className="dialog-actions">
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="primary" disabled={isPending}>
        {isPending ? pendingLabel : submitLabel}
      </button>
    </footer>
  );
}

type ConfirmProps = {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  isPending?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
};

/** "Delete this client?" with the destructive button last and Cancel focused first. */
export function ConfirmDialog({ title, message, confirmLabel, isPending, error, onConfirm, onClose }: ConfirmProps) {
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="dialog-body">{message}</div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <footer className="dialog-actions">
        <button type="button" data-autofocus onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={isPending} onClick={onConfirm}>
          {isPending ? 'Working…' : confirmLabel}
        </button>
      </footer>
    </Dialog>
  );
}
