/**
 * The workbench shell: a top bar, then either the start screen (open a folder) or the library of
 * the opened folder. On the very first start, with no recent folders, the host's default folder
 * (the bundled samples) opens by itself; after a reload, the folder the tab had open. The Models and
 * Settings panels open over either, from the top bar.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { HostInfo, ImageEntry, RecentFolder } from '../../common/contract/methods.ts';
import { loadSession, saveSession, saveView } from './analysis/view-state.ts';
import { defaultViewSettings } from './analysis/overlay.ts';
import { ImageView } from './image/ImageView.tsx';
import { RunsView } from './runs/RunsView.tsx';
import { ConnectionBanner } from './common/ConnectionBanner.tsx';
import { ErrorPanel } from './common/ErrorPanel.tsx';
import { useCall } from './common/use-call.ts';
import { useApi, useHostMenuFolders, usePickFolder } from './host-context.tsx';
import { LibraryView } from './library/LibraryView.tsx';
import { StartScreen } from './library/StartScreen.tsx';
import { useScan } from './library/use-scan.ts';
import { ModelsButton, ModelsDialog } from './models/ModelsButton.tsx';
import { ModelsProvider } from './models/models-context.tsx';
import { SettingsPanel } from './settings/SettingsPanel.tsx';

export function App() {
  const api = useApi();
  const pickFolder = usePickFolder();
  const [attempt, setAttempt] = useState(0);
  const [recentVersion, setRecentVersion] = useState(0);
  const startup = useCall<HostInfo>(`info:${attempt}`, () => api.call('host.info', {}));
  const recent = useCall<RecentFolder[]>(`recent:${attempt}:${recentVersion}`, () => api.call('library.recent', {}));
  const scan = useScan(() => setRecentVersion((v) => v + 1));
  const [screen, setScreen] = useState<'start' | 'library' | 'runs'>('start');
  const [settingsOpen, setSettingsOpen] = useState(false);
  // a sample of an evaluation run, opened from the Runs view with its record on screen
  const [sample, setSample] = useState<ImageEntry | null>(null);
  const openSample = useCallback((entry: ImageEntry, record: string) => {
    saveView(sessionStorage, entry.path, { resultId: record, view: defaultViewSettings });
    setSample(entry);
  }, []);
  const autoOpened = useRef(false);

  const startScan = scan.start;
  const openFolder = useCallback(
    (path: string) => {
      startScan(path);
      setScreen('library');
      saveSession(sessionStorage, { folder: path });
    },
    [startScan],
  );

  useHostMenuFolders(openFolder);

  const chooseFolder = useCallback(async () => {
    if (!pickFolder) return setScreen('start');
    const picked = await pickFolder();
    if (picked) openFolder(picked);
  }, [pickFolder, openFolder]);

  useEffect(() => {
    if (autoOpened.current || startup.status !== 'ok' || recent.status !== 'ok') return;
    autoOpened.current = true;
    // a reload comes back to the folder this tab had open
    const before = loadSession(sessionStorage).folder;
    const defaultFolder = startup.value.defaultFolder;
    if (before) openFolder(before);
    else if (recent.value.length === 0 && defaultFolder) openFolder(defaultFolder);
  }, [startup, recent, openFolder]);

  let body;
  if (startup.status === 'loading') {
    body = <div className="centre-note">Connecting to the workbench…</div>;
  } else if (startup.status === 'error') {
    body = (
      <div className="centre-panel">
        <ErrorPanel title="Cannot reach the workbench" error={startup.error}>
          <button onClick={() => setAttempt((a) => a + 1)}>Try again</button>
        </ErrorPanel>
      </div>
    );
  } else if (screen === 'runs' && sample) {
    body = <ImageView entries={[sample]} index={0} onIndexChange={() => {}} onClose={() => setSample(null)} />;
  } else if (screen === 'runs') {
    body = <RunsView onOpenSample={openSample} />;
  } else if (screen === 'library' && scan.state.root) {
    body = <LibraryView scan={scan} onChooseAnother={() => setScreen('start')} />;
  } else {
    body = (
      <StartScreen
        host={startup.value}
        recent={recent}
        onOpen={openFolder}
        onPickNative={pickFolder ? chooseFolder : null}
        onBackToLibrary={scan.state.root ? () => setScreen('library') : null}
        currentRoot={scan.state.root}
      />
    );
  }

  return (
    <ModelsProvider>
      <div className="app">
        <header className="topbar">
          <span className="brand">LASER Workbench</span>
          <span className="topbar-folder" data-testid="current-folder" title={scan.state.root ?? ''}>
            {screen === 'library' ? scan.state.root : ''}
          </span>
          <span className="spacer" />
          {screen === 'library' && (
            <button data-testid="open-folder" onClick={() => void chooseFolder()}>
              Open folder…
            </button>
          )}
          {startup.status === 'ok' && (
            <button data-testid="open-runs" onClick={() => (screen === 'runs' ? setScreen(scan.state.root ? 'library' : 'start') : setScreen('runs'))}>
              {screen === 'runs' ? 'Back' : 'Runs'}
            </button>
          )}
          {startup.status === 'ok' && <ModelsButton />}
          {startup.status === 'ok' && (
            <button data-testid="open-settings" onClick={() => setSettingsOpen(true)} title="Settings: the largest image to open">
              Settings
            </button>
          )}
          {startup.status === 'ok' && <span className="host-version">v{startup.value.version}</span>}
        </header>
        <ConnectionBanner />
        <main className="content">{body}</main>
        {startup.status === 'ok' && <ModelsDialog host={startup.value} />}
        {settingsOpen && <SettingsPanel onClose={() => setSettingsOpen(false)} />}
      </div>
    </ModelsProvider>
  );
}
