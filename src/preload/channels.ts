/** IPC channel names shared by main and the preload. Calls never use IPC: they go over the port. */
export const ipcChannels = {
  /** main → preload, carrying one MessagePort to the engine (again after every engine restart). */
  port: 'laser:port',
  /** main → preload: the engine died; fail the calls in flight with the error this carries. */
  engineLost: 'laser:engine-lost',
  /** preload → main (invoke): the native folder dialog. */
  pickFolder: 'laser:pick-folder',
  /** main → preload: a folder chosen from the File menu. */
  openFolder: 'laser:open-folder',
} as const;

export const mediaBase = 'laser-media://media/';
