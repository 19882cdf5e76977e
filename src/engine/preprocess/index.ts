export { decodeImage, decodeImageFile, DEFAULT_MAX_IMAGE_PIXELS, maxImagePixels } from './decode.ts';
export { cropImage, padImage, rgbImage, type RgbImage } from './image.ts';
export { bicubicAxisWeights, resizeBicubicPil, type AxisWeights } from './pil-resize.ts';
export { parseClipProcessorConfig, parseQwen2VLProcessorConfig, type ClipProcessorConfig, type Qwen2VLProcessorConfig, type Rgb } from './config.ts';
export { normalizeTable, toChwFloat32, type NormalizeOptions } from './normalize.ts';
export { padColour, preprocessForClip, shortestEdgeSize, type ClipMode, type ClipPreprocessed } from './clip.ts';
export { preprocessForQwen2VL, roundHalfEven, smartResize, type Qwen2VLPreprocessed } from './qwen2vl.ts';
