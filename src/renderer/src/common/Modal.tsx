/**
 * A dialog over whatever is on screen: a backdrop (a click on it closes), the dialog focused when it
 * opens, Escape closing it wherever the focus is and other keys kept from the window's shortcuts
 * (use-modal-keys.ts), a header with its title and a Close button, and the body.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import type { KeyboardEvent } from 'react';
import { useModalKeys } from './use-modal-keys.ts';

export interface ModalProps {
  title: string;
  /** Class beside `modal` (its width), and the test ids of the dialog and its Close button. */
  className: string;
  testId: string;
  closeTestId: string;
  onClose: () => void;
  /** Close disabled, with the reason as its tooltip (e.g. while a compile runs). */
  closeBlocked?: string | null;
  children: ReactNode;
}

export function Modal({ title, className, testId, closeTestId, onClose, closeBlocked = null, children }: ModalProps) {
  const dialogRef = useRef<HTMLDivElement>(null);
  useEffect(() => dialogRef.current?.focus(), []);
  useModalKeys(dialogRef, onClose);
  // Keys typed in the dialog stay in it.
  const onKeyDown = (e: KeyboardEvent) => e.stopPropagation();
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal ${className}`} role="dialog" aria-label={title} data-testid={testId} tabIndex={-1} ref={dialogRef} onKeyDown={onKeyDown}>
        <header className="modal-head">
          <h1>{title}</h1>
          <span className="spacer" />
          <button onClick={onClose} disabled={closeBlocked !== null} title={closeBlocked ?? 'Close (Escape)'} data-testid={closeTestId}>
            Close
          </button>
        </header>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}
