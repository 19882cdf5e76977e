/** A foldable section of the analysis panel: a small-caps title, an optional note on the right, its body. */
import type { ReactNode } from 'react';

export function Section({
  title,
  children,
  testId,
  open = true,
  extra,
}: {
  title: string;
  children: ReactNode;
  testId?: string;
  open?: boolean;
  extra?: ReactNode;
}) {
  return (
    <details className="section" open={open} data-testid={testId}>
      <summary>
        <span className="section-title">{title}</span>
        {extra && <span className="section-extra">{extra}</span>}
      </summary>
      <div className="section-body">{children}</div>
    </details>
  );
}
