// Live heatmaps without a Plotly redraw. Plotly draws a heatmap of evenly spaced cells as a picture
// of one pixel per cell, scaled up unsmoothed; a live frame's grid is painted into that picture
// directly. A restyle would recompute and redraw every trace of the figure (20–50 ms a frame on a
// busy page, against about a millisecond). The trace's z is to be replaced as well (its public
// data, no redraw), so that whatever redraws the figure next draws the frame's numbers too.

// "#rrggbb", "rgb(r, g, b)" or "rgba(r, g, b, a)" -> [r, g, b].
export function rgbOf(color) {
  if (color.startsWith("#")) return [1, 3, 5].map((at) => parseInt(color.slice(at, at + 2), 16));
  return color.match(/[\d.]+/g).slice(0, 3).map(Number);
}

// A colour scale ([[position, colour], ...] as the figure states it) over [cmin, cmax], as a
// function of a value -> [r, g, b]. Where two stops share a position (the class bands' edges), a
// value on it takes the later band's colour, as Plotly does.
export function colorMap(colorscale, cmin, cmax) {
  const stops = colorscale.map(([at, color]) => [Number(at), rgbOf(color)]);
  const span = cmax - cmin || 1;
  return (value) => {
    const t = Math.min(1, Math.max(0, (value - cmin) / span));
    let k = 0;
    while (k < stops.length - 1 && stops[k + 1][0] <= t) k += 1;
    if (k === stops.length - 1) return stops[k][1];
    const [a, from] = stops[k];
    const [b, to] = stops[k + 1];
    const f = b > a ? (t - a) / (b - a) : 0;
    return from.map((c, i) => Math.round(c + f * (to[i] - c)));
  };
}

// A canvas of grid × grid pixels and its pixels, one per size, reused: a picture is read off it
// at once (toDataURL), and a new canvas's context costs more than painting it.
const scratches = new Map();

export function scratch(grid) {
  if (!scratches.has(grid)) {
    const canvas = document.createElement("canvas");
    canvas.width = grid;
    canvas.height = grid;
    const context = canvas.getContext("2d");
    scratches.set(grid, { canvas, context, image: context.createImageData(grid, grid) });
  }
  return scratches.get(grid);
}

// One byte per cell (grid × grid, rows along y upwards) painted through a colour per byte value
// (`colorOf(code)`, asked once for each of the 256): a PNG data URL of grid × grid pixels, the
// first row at the bottom, as Plotly's picture of a heatmap holds it.
export function codesPicture(codes, grid, colorOf) {
  const { canvas, context, image } = scratch(grid);
  fillPixels(image, codes, grid, colorOf);
  context.putImageData(image, 0, 0);
  return canvas.toDataURL("image/png");
}

// The same codes into `image` (ImageData of grid × grid pixels), a colour looked up per code.
export function fillPixels(image, codes, grid, colorOf) {
  const table = new Uint8ClampedArray(256 * 3);
  for (let code = 0; code < 256; code += 1) table.set(colorOf(code), 3 * code);
  const pixels = image.data;
  for (let row = 0; row < grid; row += 1) {
    let at = 4 * (grid - 1 - row) * grid;
    for (let col = 0; col < grid; col += 1, at += 4) {
      const code = 3 * codes[row * grid + col];
      pixels[at] = table[code];
      pixels[at + 1] = table[code + 1];
      pixels[at + 2] = table[code + 2];
      pixels[at + 3] = 255;
    }
  }
}

// The picture Plotly drew for heatmap trace `index` of `plot` (the heatmap of its subplot), or null
// when it drew none (no figure yet, or cells it draws one by one).
function heatmapPicture(plot, index) {
  const trace = plot.data && plot.data[index];
  if (!trace || trace.type !== "heatmap") return null;
  const subplot = `${trace.xaxis || "x"}${trace.yaxis || "y"}`;
  const pictures = plot.querySelectorAll(`.subplot.${subplot} g.hm image`);
  return pictures.length === 1 ? pictures[0] : null;
}

// Paints `source` into trace `index`'s picture and returns the picture, or null when there is none
// to paint (then a restyle must do it). The caller gives the trace the painted values too (its z),
// before anything redraws the figure.
export function paintHeatmap(plot, index, source) {
  const picture = heatmapPicture(plot, index);
  if (picture) picture.setAttribute("href", source);
  return picture;
}
