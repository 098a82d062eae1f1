// Small maps over the plane (see app/viz/thumbnails.py): the input features' and each neuron's
// output. They arrive as one byte per cell, value = (byte / half − 1) · limit with half =
// (levels − 1) / 2 (256 levels in answers, fewer in live frames), and are painted here on a
// diverging scale: red below 0, white at 0, blue above (the figures' RdBu).
import { fillPixels } from "./heatmaps.js";
import { bytesOf } from "./live.js";

const NEGATIVE = [178, 24, 43];
const POSITIVE = [33, 102, 172];

// {limits, data} -> one Uint8Array of grid² codes per map. A frame's maps serve the diagram and
// the neurons figure: decoded once.
const decoded = new WeakMap();

export function decodeMaps(encoded, grid) {
  if (!decoded.has(encoded)) decoded.set(encoded, decodeOnce(encoded, grid));
  return decoded.get(encoded);
}

async function decodeOnce(encoded, grid) {
  const bytes = await bytesOf(encoded.data);
  const cells = grid * grid;
  return encoded.limits.map((_, k) => bytes.subarray(k * cells, (k + 1) * cells));
}

// A code's value relative to its map's limit (−1 … 1), in maps of `levels` codes.
export function relative(code, levels = 256) {
  return code / ((levels - 1) / 2) - 1;
}

// A map's colour for one code (256 levels: the feature maps).
function mapColor(code) {
  const v = relative(code); // -1 … 1
  const end = v < 0 ? NEGATIVE : POSITIVE;
  const t = Math.min(1, Math.abs(v));
  return end.map((c) => Math.round(255 + t * (c - 255)));
}

// Paints one map's codes on `canvas` (grid × grid pixels; rows run along x₂ upwards, so the
// first row is the canvas's bottom row).
export function paintMap(canvas, codes, grid) {
  canvas.width = grid;
  canvas.height = grid;
  const context = canvas.getContext("2d");
  const image = context.createImageData(grid, grid);
  fillPixels(image, codes, grid, mapColor);
  context.putImageData(image, 0, 0);
}
