/**
 * The Electron main process: windows, menu, dialogs, and the schemes that serve the app and its
 * images. It does no engine work: that runs in a utility process (engine-host.ts) that every window
 * talks to directly over its own MessagePort.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, MessageChannelMain, protocol, session, utilityProcess } from 'electron';
import type { MessagePortMain } from 'electron';
import { ipcChannels } from '../preload/channels.ts';
import { contentSecurityPolicy } from '../engine/service/security-headers.ts';
import { answerAppRequest } from './app-scheme.ts';
import { appScheme, builtAppUrl, mediaScheme } from './app-url.ts';
import { createEngineSupervisor } from './engine-supervisor.ts';
import { answerMediaRequest } from './media-scheme.ts';
import { menuTemplate } from './menu-template.ts';
import { guardWebContents, isFromAppMainFrame } from './window-guards.ts';
import { mainWindowOptions } from './window-options.ts';

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const appUrl = devServerUrl ?? builtAppUrl;
const outDir = join(import.meta.dirname, '..');
const rendererDir = join(outDir, 'renderer');
const csp = contentSecurityPolicy({ imageSources: [`${mediaScheme}:`], inlineScripts: devServerUrl !== undefined });

app.setName('LASER Workbench');
protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  { scheme: mediaScheme, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true } },
]);

const engine = createEngineSupervisor<MessagePortMain>({
  fork: () => utilityProcess.fork(join(outDir, 'main', 'engine-host.js'), [], { serviceName: 'LASER Workbench engine', stdio: 'inherit' }),
  channel: () => new MessageChannelMain(),
  // The same data folder as the CLI and serve mode: --data-dir, else $LASER_DATA_DIR, else the platform's (resolved in the engine).
  init: {
    dataDir: app.commandLine.getSwitchValue('data-dir') || null,
    defaultFolder: bundledResource('samples'),
    demoModelDir: bundledResource('models/laser-demo'),
  },
  log: (line) => console.error(line),
});

let mainWindow: BrowserWindow | null = null;

/**
 * A folder shipped in resources/ (electron-builder copies it beside app.asar). The engine cannot
 * find it on its own: once bundled into out/main its source-relative paths point nowhere.
 */
function bundledResource(relative: string): string | null {
  const folder = app.isPackaged ? join(process.resourcesPath, relative) : join(app.getAppPath(), 'resources', relative);
  return existsSync(folder) ? folder : null;
}

function createMainWindow(): void {
  const win = new BrowserWindow(mainWindowOptions(join(outDir, 'preload', 'index.cjs')));
  const id = win.webContents.id;
  mainWindow = win;
  win.once('ready-to-show', () => win.show());
  // Every load (the first, and each reload) starts a new page that needs its own engine port.
  win.webContents.on('dom-ready', () =>
    engine.attachWindow(id, {
      deliver: (port) => (win.isDestroyed() ? port.close() : win.webContents.postMessage(ipcChannels.port, null, [port])),
      lost: (error) => win.isDestroyed() || win.webContents.send(ipcChannels.engineLost, error),
    }),
  );
  win.on('focus', () => void refreshMenu());
  win.on('closed', () => {
    engine.detachWindow(id);
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(appUrl);
}

async function chooseFolder(): Promise<string | null> {
  const options = { title: 'Open a folder of images', properties: ['openDirectory' as const] };
  const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

function openInWindow(folder: string): void {
  mainWindow?.webContents.send(ipcChannels.openFolder, folder);
  void refreshMenu();
}

async function refreshMenu(): Promise<void> {
  const recent = await engine.api.call('library.recent', {}).catch(() => []);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        isMac: process.platform === 'darwin',
        isDev: devServerUrl !== undefined,
        recent,
        openFolder: () => void chooseFolder().then((folder) => folder && openInWindow(folder)),
        openRecent: openInWindow,
      }),
    ),
  );
}

function secureSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const headers = Object.fromEntries(Object.entries(details.responseHeaders ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy'));
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [csp] } });
  });
  // The workbench needs no camera, location or notifications; only writing to the clipboard.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, grant) => grant(permission === 'clipboard-sanitized-write'));
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => permission === 'clipboard-sanitized-write');
}

function start(): void {
  secureSession();
  protocol.handle(appScheme, (request) => answerAppRequest(request, rendererDir, csp));
  protocol.handle(mediaScheme, (request) => answerMediaRequest(request, (ref) => engine.media(ref)));
  ipcMain.handle(ipcChannels.pickFolder, (event) => {
    if (!isFromAppMainFrame(event, mainWindow, appUrl)) throw new Error('The folder dialog answers only the workbench window.');
    return chooseFolder();
  });
  app.setAboutPanelOptions({ applicationName: 'LASER Workbench', applicationVersion: app.getVersion(), copyright: 'MIT License' });
  engine.start();
  createMainWindow();
  void refreshMenu();
}

app.on('web-contents-created', (_event, contents) => guardWebContents(contents, appUrl));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  void app.whenReady().then(start);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let engineStopped = false;
  app.on('will-quit', (event) => {
    if (engineStopped) return;
    // Give the engine its chance to save settings and caches before the app goes.
    event.preventDefault();
    void engine.stop().finally(() => {
      engineStopped = true;
      app.quit();
    });
  });
}
