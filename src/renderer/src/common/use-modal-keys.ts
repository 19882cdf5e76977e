/**
 * Keys while a dialog is open: the image view's and the grid's shortcuts listen on the window, so
 * Escape closes the dialog wherever the focus is, and keys aimed outside it go nowhere.
 */
import { useEffect, useRef, type RefObject } from 'react';

export function useModalKeys(dialog: RefObject<HTMLElement | null>, close: () => void): void {
  const closeRef = useRef(close);
  closeRef.current = close;
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        closeRef.current();
      } else if (!(e.target instanceof Node && dialog.current?.contains(e.target))) {
        e.stopPropagation();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [dialog]);
}
