/** A thin bar while the host is unreachable, so a dead server is never mistaken for an empty folder. */
import { useEffect, useState } from 'react';
import { useConnection } from '../host-context.tsx';

export function ConnectionBanner() {
  const state = useConnection();
  const [now, setNow] = useState(() => Date.now());
  const [since, setSince] = useState(() => Date.now());

  useEffect(() => {
    if (state.status !== 'reconnecting') return;
    setSince(Date.now());
    const t = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(t);
  }, [state]);

  if (state.status !== 'reconnecting') return null;
  const seconds = Math.max(0, Math.ceil((state.retryInMs - (now - since)) / 1000));
  return (
    <div className="connection-banner" role="status" data-testid="connection-banner">
      Lost the connection to the workbench. {seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…'} (attempt {state.attempt}).
    </div>
  );
}
