/**
 * Entry of the inference worker thread: out/main/inference-worker.js in the Electron build, this
 * file through tsx-bootstrap.mjs when the engine runs from source (CLI, serve, tests).
 */
import { parentPort } from 'node:worker_threads';
import { reportUnexpected } from '../library/crash-log.ts';
import { createOps } from './worker-ops.ts';
import { serveInference } from './worker-server.ts';

if (!parentPort) throw new Error('worker-entry.ts is the inference worker; start it with InferenceClient, not directly.');
// A thrown operation answers its call with an error naming its crash log; the worker stays up.
serveInference(parentPort, createOps(), { onUnexpected: reportUnexpected('inference worker') });
