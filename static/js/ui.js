// The shared page helpers in one import: DOM helpers (dom.js), Plotly drawing (plots.js) and the
// phone layout (phone.js). Importing it has no side effects; what every page does once is page.js.
export * from "./dom.js";
export * from "./plots.js";
export * from "./phone.js";
