// Small maps over the plane (see app/viz/thumbnails.py): the input features' and each neuron's
// output. They arrive as one byte per cell, value = (byte / 127.5 − 1) · limit, and are painted
// here on a diverging scale: red below 0, white at 0, blue above (the figures' RdBu).
import { bytesOf } from "./live.js";

const NEGATIVE = [178, 24, 43];
const POSITIVE = [33, 102, 172];

// {limits, data} -> one Uint8Array of grid² codes per map.
export async function decodeMaps(encoded, grid) {
  const bytes = await bytesOf(encoded.data);
  const cells = grid * grid;
  return encoded.limits.map((_, k) => bytes.subarray(k * cells, (k + 1) * cells));
}

// Paints one map's codes on `canvas` (grid × grid pixels; rows run along x₂ upwards, so the
// first row is the canvas's bottom row).
export function paintMap(canvas, codes, grid) {
  canvas.width = grid;
  canvas.height = grid;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(grid, grid);
  for (let row = 0; row < grid; row += 1) {
    for (let col = 0; col < grid; col += 1) {
      const v = codes[row * grid + col] / 127.5 - 1; // -1 … 1
      const end = v < 0 ? NEGATIVE : POSITIVE;
      const t = Math.min(1, Math.abs(v));
      const at = 4 * ((grid - 1 - row) * grid + col);
      for (let c = 0; c < 3; c += 1) image.data[at + c] = Math.round(255 + t * (end[c] - 255));
      image.data[at + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}

// A map as a PNG data URL (what Plotly's layout images take).
export function mapImage(codes, grid) {
  const canvas = document.createElement("canvas");
  paintMap(canvas, codes, grid);
  return canvas.toDataURL("image/png");
}
