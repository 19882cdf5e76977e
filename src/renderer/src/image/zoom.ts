/**
 * Zoom in the image view: "fit" follows the window; otherwise a fixed scale that steps along a
 * ladder of round values, so repeated +/- land on 100% again.
 */
export type Zoom = { mode: 'fit' } | { mode: 'scale'; scale: number };

export const zoomLadder = [0.05, 0.1, 0.125, 0.25, 0.33, 0.5, 0.67, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32];

/** Scale that shows the whole image inside the box; never enlarges past 1:1 (pixels stay honest). */
export function fitScale(box: { width: number; height: number }, image: { width: number; height: number }): number {
  if (image.width <= 0 || image.height <= 0 || box.width <= 0 || box.height <= 0) return 1;
  return Math.min(1, box.width / image.width, box.height / image.height);
}

export function effectiveScale(zoom: Zoom, box: { width: number; height: number }, image: { width: number; height: number }): number {
  return zoom.mode === 'fit' ? fitScale(box, image) : zoom.scale;
}

export function zoomStep(scale: number, direction: 1 | -1): number {
  const eps = 1e-9;
  if (direction > 0) return zoomLadder.find((s) => s > scale + eps) ?? zoomLadder[zoomLadder.length - 1];
  for (let i = zoomLadder.length - 1; i >= 0; i--) if (zoomLadder[i] < scale - eps) return zoomLadder[i];
  return zoomLadder[0];
}
