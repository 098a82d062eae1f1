// The server's vocabulary (GET /api/catalog): every optimizer, initialization, activation, loss,
// metric, figure kind and sweepable or lockable setting, with the words a page shows for it. Read
// once per page and shared, so that no page keeps a list of names that could fall behind the server.
import { api } from "./api.js";

let loading = null;
let loaded = null;

export function loadCatalog() {
  if (!loading) {
    loading = api("GET", "/api/catalog", { label: "The names the server offers, with their words" }).then((catalog) => {
      loaded = catalog;
      return catalog;
    });
  }
  return loading;
}

// A name's label in one of the catalog's lists ("activations", "optimizers", ...); the name itself
// before the catalog has loaded or for a name it does not list.
export function labelOf(list, name) {
  const item = loaded && (loaded[list] || []).find((entry) => entry.name === name);
  return item ? item.label : name;
}

// [name, label] pairs of a list, for a <select>; `keep(entry)` picks some.
export function choices(list, keep = () => true) {
  return ((loaded && loaded[list]) || []).filter(keep).map((entry) => [entry.name, entry.label]);
}
