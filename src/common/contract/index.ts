export * from './errors.ts';
export * from './methods.ts';
export * from './wire.ts';
export * from './client.ts';
export * from './host.ts';
export * from './bridge.ts';
