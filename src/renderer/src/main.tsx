/** Renderer entry: pick the transport, then mount the app (or say why it cannot start). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { bridgeGlobalName } from '../../common/contract/bridge.ts';
import type { PreloadBridge } from '../../common/contract/bridge.ts';
import { toErrorData } from '../../common/contract/errors.ts';
import { openBrowserSocket } from '../transport/browser-socket.ts';
import { selectTransport } from '../transport/select.ts';
import { App } from './App.tsx';
import { ErrorPanel } from './common/ErrorPanel.tsx';
import { HostProvider } from './host-context.tsx';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
const bridge = (window as unknown as Record<string, PreloadBridge | undefined>)[bridgeGlobalName];

try {
  const transport = selectTransport({ location: window.location, openSocket: openBrowserSocket, [bridgeGlobalName]: bridge });
  window.addEventListener('pagehide', () => transport.close());
  root.render(
    <StrictMode>
      <HostProvider transport={transport}>
        <App />
      </HostProvider>
    </StrictMode>,
  );
} catch (e) {
  root.render(
    <div className="startup-failure">
      <ErrorPanel title="LASER Workbench cannot start" error={toErrorData(e)} />
    </div>,
  );
}
