/**
 * `npm run bench [-- <name> ...]`: every benchmark, or the named ones. Benchmarks print figures
 * (rates, ratios measured within one run, peak RSS); they never assert, and tests never time.
 */
const benches: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  library: async () => ({ run: (await import('./library.ts')).benchLibrary }),
  compile: async () => ({ run: (await import('./compile.ts')).benchCompile }),
  runtime: async () => ({ run: (await import('./runtime.ts')).benchRuntime }),
  laser: async () => ({ run: (await import('./laser.ts')).benchLaser }),
  quant: async () => ({ run: (await import('./quant.ts')).benchQuant }),
  memory: async () => ({ run: (await import('./memory.ts')).benchMemory }),
  device: async () => ({ run: (await import('./device.ts')).benchDevice }),
  serve: async () => ({ run: (await import('./serve.ts')).benchServe }),
  eager: async () => ({ run: (await import('./eager.ts')).benchEager }),
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in benches)) {
    console.error(`Unknown benchmark "${name}". Known: ${Object.keys(benches).join(', ')}.`);
    process.exit(2);
  }
}
for (const [name, load] of Object.entries(benches)) {
  // `device` runs runtime and laser again on the probed provider, `eager` needs python3 with torch: only when asked for.
  if (wanted.length ? !wanted.includes(name) : name === 'device' || name === 'eager') continue;
  console.log(`\n## ${name}`);
  const started = Date.now();
  await (await load()).run();
  console.log(`(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
export {};
