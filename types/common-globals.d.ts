/* eslint-disable no-var -- ambient globals are declared with `declare var`, as lib.dom.d.ts does */
/**
 * The few globals that both Node and browsers provide, declared for src/common alone so that code
 * there compiles against neither Node's nor the DOM's type library (tsconfig.common.json). Only
 * what both environments have, with the members both have, belongs here.
 */
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
  throwIfAborted(): void;
}
declare var AbortSignal: { prototype: AbortSignal; abort(reason?: unknown): AbortSignal };
interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}
declare var AbortController: { prototype: AbortController; new (): AbortController };
declare var console: { log(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void };
interface TextEncoder { encode(input?: string): Uint8Array }
declare var TextEncoder: { prototype: TextEncoder; new (): TextEncoder };
interface TextDecoder { decode(input?: ArrayBufferView | ArrayBuffer): string }
declare var TextDecoder: { prototype: TextDecoder; new (label?: string, options?: { fatal?: boolean }): TextDecoder };
declare var URLSearchParams: { new (init?: Record<string, string> | string): { set(k: string, v: string): void; get(k: string): string | null; toString(): string } };
