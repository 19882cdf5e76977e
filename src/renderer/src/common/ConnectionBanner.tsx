/** A thin bar while the host is unreachable, so a dead server is never mistaken for an empty folder. */
import { useEffect, useState } from 'react';
import { useConnection } from '../host-context.tsx';

export function ConnectionBanner() {
  const state = useConnection();
  const [clock, setClock] = useState({ now: 0, retryAt: 0 });

  useEffect(() => {
    if (state.status !== 'reconnecting') return;
    const retryAt = Date.now() + state.retryInMs;
    setClock({ now: Date.now(), retryAt });
    const t = window.setInterval(() => setClock({ now: Date.now(), retryAt }), 250);
    return () => window.clearInterval(t);
  }, [state]);

  if (state.status !== 'reconnecting') return null;
  const seconds = Math.max(0, Math.ceil((clock.retryAt - clock.now) / 1000));
  return (
    <div className="connection-banner" role="status" data-testid="connection-banner">
      Lost the connection to the workbench. {seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…'} (attempt {state.attempt}).
    </div>
  );
}
