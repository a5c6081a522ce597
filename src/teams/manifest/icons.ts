import { PNG } from 'pngjs';

/** The Trellis green: the colour icon's background and the manifest's accent colour. */
export const TRELLIS_ACCENT_COLOR = '#2E7D5B';

/** Sizes Teams requires: the colour icon is 192×192, the outline icon 32×32. */
export const COLOR_ICON_SIZE = 192;
export const OUTLINE_ICON_SIZE = 32;

// The mark, in coordinates from 0 to 1: a square frame holding a diagonal lattice (a trellis).
// The frame falls on whole pixels at 32 and 192 px (6/32 … 26/32), so its edges stay crisp.
const FRAME_MIN = 0.1875;
const FRAME_MAX = 0.8125;
const FRAME_STROKE = 0.0625;
const LATTICE_PERIOD = 0.3;
const LATTICE_STROKE = 0.06;
/** Samples per pixel side: edges get partial coverage (anti-aliasing) instead of jagged steps. */
const SUPERSAMPLE = 4;

/** Whether a point of the unit square is inked by the mark (frame or lattice). */
function inMark(x: number, y: number): boolean {
  const inside = x >= FRAME_MIN && x <= FRAME_MAX && y >= FRAME_MIN && y <= FRAME_MAX;
  if (!inside) return false;
  const inner = FRAME_MIN + FRAME_STROKE;
  const outer = FRAME_MAX - FRAME_STROKE;
  if (x < inner || x > outer || y < inner || y > outer) return true;
  // Two families of diagonals through the centre; distance to the nearest line of each family.
  const near = (t: number) => {
    const m = ((t % LATTICE_PERIOD) + LATTICE_PERIOD) % LATTICE_PERIOD;
    return Math.min(m, LATTICE_PERIOD - m) / Math.SQRT2;
  };
  return Math.min(near(x + y - 1), near(x - y)) <= LATTICE_STROKE / 2;
}

/** Fraction (0..1) of the pixel (px, py) of a size×size image that the mark covers. */
function coverage(px: number, py: number, size: number): number {
  let hits = 0;
  for (let sy = 0; sy < SUPERSAMPLE; sy++) {
    for (let sx = 0; sx < SUPERSAMPLE; sx++) {
      const x = (px + (sx + 0.5) / SUPERSAMPLE) / size;
      const y = (py + (sy + 0.5) / SUPERSAMPLE) / size;
      if (inMark(x, y)) hits++;
    }
  }
  return hits / (SUPERSAMPLE * SUPERSAMPLE);
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** The colour icon (192×192 PNG): the white mark on an opaque Trellis-green square. */
export function colorIcon(): Buffer {
  const size = COLOR_ICON_SIZE;
  const png = new PNG({ width: size, height: size });
  const [r, g, b] = hexToRgb(TRELLIS_ACCENT_COLOR);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = coverage(x, y, size);
      const i = (y * size + x) * 4;
      // White blended over the background by coverage.
      png.data[i] = Math.round(r + (255 - r) * c);
      png.data[i + 1] = Math.round(g + (255 - g) * c);
      png.data[i + 2] = Math.round(b + (255 - b) * c);
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/**
 * The outline icon (32×32 PNG): Teams requires a transparent background and white only, so every
 * pixel is #FFFFFF and coverage goes into the alpha channel.
 */
export function outlineIcon(): Buffer {
  const size = OUTLINE_ICON_SIZE;
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      png.data[i] = 255;
      png.data[i + 1] = 255;
      png.data[i + 2] = 255;
      png.data[i + 3] = Math.round(255 * coverage(x, y, size));
    }
  }
  return PNG.sync.write(png);
}
