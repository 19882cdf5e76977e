/** Figures of analysis records: SVG (self-contained) and PNG files. See common/figures for the drawing. */
export { figuresForRecord, FIGURE_FORMATS, type FigureFormat, type FigureOptions, type FiguresResult, type WrittenFigure } from './figures.ts';
export { FIGURE_KINDS, type FigureKind } from './record-data.ts';
export { svgToPng, svgSize } from './rasterise.ts';
export { embedImage, readRecordImage } from './image.ts';
