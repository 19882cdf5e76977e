export * from './box.ts';
export * from './transform.ts';
