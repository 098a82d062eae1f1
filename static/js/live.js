// Live frames: the boundary grid arrives in compact form (see app/viz/live.py) and is decoded
// here into the x, y and z arrays that Plotly's restyle takes.

function linspace(start, stop, n) {
  const step = n > 1 ? (stop - start) / (n - 1) : 0;
  return Array.from({ length: n }, (_, i) => start + i * step);
}

// base64 of zlib-compressed bytes -> the bytes.
export async function bytesOf(base64) {
  const text = atob(base64);
  const packed = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) packed[i] = text.charCodeAt(i);
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const CONFIDENCE_SPAN = 0.99; // z = k + 0.99·c, as in app/viz/boundary.py

// -> { kind, x, y, z }: z is rows of numbers (a heatmap) or one row of values (a 1-D curve).
export async function decodeBoundary(frame) {
  const n = frame.n;
  const bytes = await bytesOf(frame.data);
  const x = linspace(frame.x[0], frame.x[1], n);
  if (frame.kind === "regression-1d") {
    const view = new DataView(bytes.buffer);
    const z = Array.from({ length: n }, (_, i) => frame.lo + (view.getUint16(2 * i, true) / 65535) * (frame.hi - frame.lo));
    return { kind: frame.kind, x, y: null, z };
  }
  let value;
  if (frame.kind === "classification") {
    const levels = Math.floor(256 / frame.classes);
    value = (code) => Math.floor(code / levels) + (CONFIDENCE_SPAN * (code % levels)) / (levels - 1);
  } else {
    value = (code) => frame.lo + (code / 255) * (frame.hi - frame.lo);
  }
  const z = [];
  for (let row = 0; row < n; row += 1) {
    z.push(Array.from(bytes.subarray(row * n, (row + 1) * n), value));
  }
  return { kind: frame.kind, x, y: linspace(frame.y[0], frame.y[1], n), z };
}
