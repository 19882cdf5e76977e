/**
 * The image view's right side: the analysis, or the image's details, one at a time. The tab last
 * used is remembered (localStorage), so a researcher who analyses stays on the analysis.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';

const TAB_KEY = 'laser.sidePanelTab';
export type SideTab = 'analysis' | 'details';

function readTab(): SideTab {
  try {
    return window.localStorage.getItem(TAB_KEY) === 'analysis' ? 'analysis' : 'details';
  } catch {
    return 'details';
  }
}

export function SidePanel({ analysis, details, running }: { analysis: ReactNode; details: ReactNode; running: boolean }) {
  const [tab, setTab] = useState<SideTab>(readTab);
  const choose = (t: SideTab) => {
    setTab(t);
    try {
      window.localStorage.setItem(TAB_KEY, t);
    } catch {
      // Not remembered where storage is disabled.
    }
  };
  return (
    <div className="side-panel" data-tab={tab}>
      <div className="side-tabs" role="tablist">
        <button
          role="tab"
          aria-selected={tab === 'analysis'}
          className={tab === 'analysis' ? 'active' : undefined}
          onClick={() => choose('analysis')}
          data-testid="tab-analysis"
        >
          Analysis{running && tab !== 'analysis' ? ' ●' : ''}
        </button>
        <button
          role="tab"
          aria-selected={tab === 'details'}
          className={tab === 'details' ? 'active' : undefined}
          onClick={() => choose('details')}
          data-testid="tab-details"
        >
          Details
        </button>
      </div>
      <div className="side-body">{tab === 'analysis' ? analysis : details}</div>
    </div>
  );
}
