/**
 * A host folder by path: a text field, the submit button, and a toggle for the host's folder browser
 * (which fills the field as it moves and submits a folder when one is opened in it). Used wherever
 * the user names a folder: the start screen (images) and the Models panel (a model). Buttons passed
 * as children (a native dialog, a way back) go after Browse in the same row.
 */
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { FolderBrowser } from './FolderBrowser.tsx';

export function FolderPathForm({
  home,
  path,
  onPathChange,
  onSubmit,
  disabled = false,
  closeBrowserOnOpen = false,
  input,
  submit,
  browseTestId,
  children,
}: {
  /** The host's home folder: the browser's start when the field is empty, and its Home button. */
  home: string;
  path: string;
  onPathChange: (path: string) => void;
  /** Called with the field's path (trimmed, never empty) or with a folder opened in the browser. */
  onSubmit: (path: string) => void;
  /** While true the form takes no input and the browser is hidden. */
  disabled?: boolean;
  /** Hide the browser once a folder is opened in it. */
  closeBrowserOnOpen?: boolean;
  input: { testId: string; label: string; placeholder: string; autoFocus?: boolean };
  submit: { testId: string; label: string };
  browseTestId: string;
  children?: ReactNode;
}) {
  const [browsing, setBrowsing] = useState(false);

  const submitForm = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = path.trim();
    if (trimmed && !disabled) onSubmit(trimmed);
  };

  return (
    <>
      <form className="path-form" onSubmit={submitForm}>
        <input
          data-testid={input.testId}
          className="path-input"
          type="text"
          spellCheck={false}
          autoFocus={input.autoFocus}
          placeholder={input.placeholder}
          value={path}
          onChange={(e) => onPathChange(e.target.value)}
          disabled={disabled}
          aria-label={input.label}
        />
        <button type="submit" className="primary" data-testid={submit.testId} disabled={!path.trim() || disabled}>
          {submit.label}
        </button>
        <button type="button" data-testid={browseTestId} onClick={() => setBrowsing((b) => !b)} aria-expanded={browsing} disabled={disabled}>
          {browsing ? 'Hide browser' : 'Browse…'}
        </button>
        {children}
      </form>
      {browsing && !disabled && (
        <FolderBrowser
          start={path.trim() || home}
          home={home}
          onNavigate={onPathChange}
          onOpen={(p) => {
            onPathChange(p);
            if (closeBrowserOnOpen) setBrowsing(false);
            onSubmit(p);
          }}
        />
      )}
    </>
  );
}
