// Live frames: the boundary grid, the diagram's edges and the hidden-space view's coordinates
// arrive in compact form (see app/viz/live.py) and are decoded here into the numbers that
// Plotly's restyle takes.

function linspace(start, stop, n) {
  const step = n > 1 ? (stop - start) / (n - 1) : 0;
  return Array.from({ length: n }, (_, i) => start + i * step);
}

// base64 of zlib-compressed bytes -> the bytes.
export async function bytesOf(base64) {
  const text = atob(base64);
  const packed = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) packed[i] = text.charCodeAt(i);
  // Written straight into the stream: a Blob's stream would read its bytes back through the browser
  // process, which on a busy machine took seconds a frame.
  const stream = new DecompressionStream("deflate");
  const writer = stream.writable.getWriter();
  writer.write(packed);
  writer.close();
  return new Uint8Array(await new Response(stream.readable).arrayBuffer());
}

// -> { kind, x, y, z, codes, value }: z is rows of numbers (a heatmap) or one row of values (a 1-D
// curve); a heatmap's cells as they came (codes, one byte each) and the number of each code (value).
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
    // z = k + span·c: the class, and the confidence in `levels` steps over the frame's span
    const levels = frame.levels || Math.floor(256 / frame.classes);
    value = (code) => Math.floor(code / levels) + (frame.span * (code % levels)) / (levels - 1);
  } else {
    value = (code) => frame.lo + (code / 255) * (frame.hi - frame.lo);
  }
  const z = [];
  for (let row = 0; row < n; row += 1) {
    z.push(Array.from(bytes.subarray(row * n, (row + 1) * n), value));
  }
  return { kind: frame.kind, x, y: linspace(frame.y[0], frame.y[1], n), z, codes: bytes, value };
}

// {count, bounds, data} (a frame's overlay.wrong) -> [x1, x2, predicted class] per misclassified
// point: 3 bytes each, x << 14 | y << 4 | class, x and y as 10-bit levels over the bounds. Decoded
// once per overlay (a frame's overlay may be drawn by more than one view).
const WRONG_TOP = 1023;
const wrongDecoded = new WeakMap();

export function wrongPoints(encoded) {
  if (!encoded) return null;
  if (!wrongDecoded.has(encoded)) {
    const text = atob(encoded.data);
    const [xMin, xMax, yMin, yMax] = encoded.bounds;
    const points = [];
    for (let i = 0; i + 2 < text.length; i += 3) {
      const packed = (text.charCodeAt(i) << 16) | (text.charCodeAt(i + 1) << 8) | text.charCodeAt(i + 2);
      points.push([xMin + ((packed >> 14) / WRONG_TOP) * (xMax - xMin), yMin + (((packed >> 4) & WRONG_TOP) / WRONG_TOP) * (yMax - yMin), packed & 15]);
    }
    wrongDecoded.set(encoded, points);
  }
  return wrongDecoded.get(encoded);
}

// {count, scale, data} -> { values: each drawn edge's weight, styles: its line trace's meta.edge_style }.
export async function decodeEdges(frame) {
  const bytes = await bytesOf(frame.data);
  const codes = new Int8Array(bytes.buffer, bytes.byteOffset, frame.count);
  return { values: Array.from(codes, (code) => (code / 127) * frame.scale), styles: bytes.subarray(frame.count, 2 * frame.count) };
}

// {count, scale, data} (a frame's edges.biases) -> each bias square's value.
export async function decodeBiases(frame) {
  const bytes = await bytesOf(frame.data);
  return Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, frame.count), (code) => (code / 127) * frame.scale);
}

// {rows, levels, bounds, data} -> { x, y }: each row's coordinates. The bytes are the differences
// of successive levels (mod 2^16), low bytes then high bytes; every x, then every y.
export async function decodeHidden(frame) {
  const bytes = await bytesOf(frame.data);
  const half = bytes.length / 2;
  const [x0, x1, y0, y1] = frame.bounds;
  const top = frame.levels - 1;
  const x = new Array(frame.rows);
  const y = new Array(frame.rows);
  let level = 0;
  for (let i = 0; i < half; i += 1) {
    level = (level + bytes[i] + 256 * bytes[half + i]) % 65536;
    if (i < frame.rows) x[i] = x0 + (level / top) * (x1 - x0);
    else y[i - frame.rows] = y0 + (level / top) * (y1 - y0);
  }
  return { x, y };
}
