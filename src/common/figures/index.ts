/** Publication figures as standalone SVG documents, from plain data (no record types): see README.md. */
export * from './svg.ts';
export * from './text.ts';
export * from './colormap.ts';
export * from './scale.ts';
export * from './heatmap.ts';
export * from './parts.ts';
export * from './rich-text.ts';
export * from './overlay.ts';
export * from './vaq-curve.ts';
export * from './layer-strip.ts';
export * from './heads-heatmap.ts';
export * from './decoding-table.ts';
export * from './method-comparison.ts';
export * from './metadata.ts';
export * from './pdf.ts';
export * from './model-inputs.ts';
export * from './paper.ts';
