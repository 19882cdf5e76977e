// Starts the inference worker from TypeScript source. On Node 20 a worker thread does not inherit
// the parent's tsx loader (and ignores `--import` in its execArgv), so it registers tsx itself and
// then imports the entry named in workerData. The Electron build starts the bundled entry instead.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
