// Small maps over the plane (see app/viz/thumbnails.py): the input features' and each neuron's
// output. They arrive as one byte per cell, value = (byte / 127.5 − 1) · limit, and are painted
// here on a diverging scale: red below 0, white at 0, blue above (the figures' RdBu).
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

// "#rrggbb" or "rgb(r, g, b)" -> [r, g, b].
function rgbOf(color) {
  if (color.startsWith("#")) return [1, 3, 5].map((at) => parseInt(color.slice(at, at + 2), 16));
  return color.match(/[\d.]+/g).slice(0, 3).map(Number);
}

// One map's codes painted as a figure's heatmap would show their values, (byte / 127.5 − 1) · limit,
// on `colorscale` ([[position, colour], ...], as the figure states it) over [cmin, cmax]: a PNG
// data URL of `cell` × `cell` pixels per cell, rows along x₂ upwards.
export function scaledImage(codes, limit, grid, { colorscale, cmin, cmax }, cell = 4) {
  const stops = colorscale.map(([at, color]) => [Number(at), rgbOf(color)]);
  const canvas = document.createElement("canvas");
  canvas.width = grid * cell;
  canvas.height = grid * cell;
  const ctx = canvas.getContext("2d");
  for (let row = 0; row < grid; row += 1) {
    for (let col = 0; col < grid; col += 1) {
      const value = (codes[row * grid + col] / 127.5 - 1) * limit;
      const t = Math.min(1, Math.max(0, (value - cmin) / (cmax - cmin)));
      let k = 1;
      while (k < stops.length - 1 && stops[k][0] < t) k += 1;
      const [a, from] = stops[k - 1];
      const [b, to] = stops[k];
      const f = b > a ? (t - a) / (b - a) : 0;
      ctx.fillStyle = `rgb(${from.map((c, i) => Math.round(c + f * (to[i] - c))).join(",")})`;
      ctx.fillRect(col * cell, (grid - 1 - row) * cell, cell, cell);
    }
  }
  return canvas.toDataURL("image/png");
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
