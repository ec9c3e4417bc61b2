// The plan as a picture: firms placed by latitude/longitude, arrows for sub-contracts and loans.
// Stroke width grows with the volume (units, or worker-days), colour tells the kind, a dashed grey arrow is a
// move the previous proposal had and this one drops, a halo marks a move that is new or changed.
import { fmtNumber, t } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const PAD = 40;
const KM_PER_DEGREE = 111.32;
export const COLOURS = { subcontract: "#c2410c", loan: "#1d4ed8", removed: "#8a8f98" };

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Equirectangular projection around the firms' centre, scaled to fit the drawing; y grows southwards. */
export function project(firms, width, pad = PAD) {
  const lats = firms.map((f) => f.lat);
  const lons = firms.map((f) => f.lon);
  const lat0 = (Math.min(...lats) + Math.max(...lats)) / 2;
  const cos = Math.cos((lat0 * Math.PI) / 180);
  const xs = lons.map((lon) => lon * cos);
  const ys = lats.map((lat) => -lat);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const spanX = Math.max(...xs) - minX;
  const spanY = Math.max(...ys) - minY;
  // As large as fits: the full width, and at most 3/4 of it in height; a drawing never gets lower than 260.
  const maxHeight = width * 0.75;
  // A span of at least ~0.5 km per axis, so one firm (or a row of firms) does not blow up the scale.
  const scale = Math.min((width - 2 * pad) / Math.max(spanX, 0.0045), (maxHeight - 2 * pad) / Math.max(spanY, 0.0045));
  const height = Math.max(spanY * scale + 2 * pad, 260);
  const offsetX = (width - spanX * scale) / 2;
  const offsetY = (height - spanY * scale) / 2;
  const points = new Map();
  firms.forEach((f, i) => points.set(f.id, { x: offsetX + (xs[i] - minX) * scale, y: offsetY + (ys[i] - minY) * scale }));
  // Pixels per km, for the scale bar.
  return { points, height, pxPerKm: scale / KM_PER_DEGREE };
}

function niceKm(maxKm) {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];
  return steps.filter((s) => s <= maxKm).pop() || steps[0];
}

function strokeWidth(volume, max) {
  return max > 0 ? 1.5 + 6.5 * Math.sqrt(Math.max(volume, 0) / max) : 2;
}

/**
 * The map as an <svg> element.
 * firms: [{id, name, lat, lon}]; flows: [{kind: "subcontract"|"loan", from, to, volume, label, state}], where
 * state is "added", "changed", "removed" or empty.
 */
export function flowMap({ firms, flows, title, idPrefix = "map", width = 800 }) {
  // The drawing is `width` units wide and scales to its box: a narrow box (a phone) gets fewer units, so that
  // the labels stay readable once scaled down.
  const WIDTH = Math.round(Math.min(Math.max(width, 360), 800));
  const valid = firms.filter((f) => Number.isFinite(f.lat) && Number.isFinite(f.lon));
  const { points, height, pxPerKm } = valid.length ? project(valid, WIDTH) : { points: new Map(), height: 280, pxPerKm: 1 };
  const involved = new Set(flows.filter((f) => f.state !== "removed").flatMap((f) => [f.from, f.to]));
  const maxBy = {};
  for (const flow of flows) maxBy[flow.kind] = Math.max(maxBy[flow.kind] || 0, flow.volume);

  const titleId = `${idPrefix}-title`;
  const descId = `${idPrefix}-desc`;
  const counts = { subcontract: 0, loan: 0 };
  for (const flow of flows) if (flow.state !== "removed") counts[flow.kind] += 1;
  const root = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${Math.round(height)}`, class: "flow-map", role: "img",
    "aria-labelledby": `${titleId} ${descId}`, preserveAspectRatio: "xMidYMid meet",
  });
  root.append(svg("title", { id: titleId }, title || t("map.title")));
  root.append(svg("desc", { id: descId }, t("map.desc", { firms: valid.length, subcontracts: counts.subcontract, loans: counts.loan })));

  const defs = svg("defs");
  for (const [name, colour] of Object.entries(COLOURS)) {
    defs.append(svg("marker", {
      id: `${idPrefix}-arrow-${name}`, viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 11, markerHeight: 11,
      markerUnits: "userSpaceOnUse", orient: "auto-start-reverse",
    }, svg("path", { d: "M0,0 L10,5 L0,10 z", fill: colour })));
  }
  root.append(defs);
  root.append(svg("rect", { x: 0, y: 0, width: WIDTH, height: Math.round(height), class: "map-bg" }));

  // Moves first (removed ones at the bottom), firms on top so arrows never hide a firm.
  const layer = svg("g", { class: "flows" });
  const ordered = [...flows].sort((a, b) => (a.state === "removed" ? -1 : 0) - (b.state === "removed" ? -1 : 0));
  for (const flow of ordered) {
    const a = points.get(flow.from);
    const b = points.get(flow.to);
    if (!a || !b) continue;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length = Math.hypot(dx, dy) || 1;
    const ux = dx / length;
    const uy = dy / length;
    const start = { x: a.x + ux * 10, y: a.y + uy * 10 };
    const end = { x: b.x - ux * 12, y: b.y - uy * 12 };
    // Bend to the left of the direction of travel: A->B and B->A never overlap, nor do a loan and a sub-contract.
    const bend = Math.min(0.22 * length, 60) * (flow.kind === "loan" ? 1 : 0.6);
    const control = { x: (start.x + end.x) / 2 + uy * bend, y: (start.y + end.y) / 2 - ux * bend };
    const d = `M${start.x.toFixed(1)},${start.y.toFixed(1)} Q${control.x.toFixed(1)},${control.y.toFixed(1)} ${end.x.toFixed(1)},${end.y.toFixed(1)}`;
    const removed = flow.state === "removed";
    const width = removed ? 2 : strokeWidth(flow.volume, maxBy[flow.kind]);
    const group = svg("g", { class: `flow flow-${flow.kind}${flow.state ? ` flow-${flow.state}` : ""}`, "data-kind": flow.kind, "data-state": flow.state || "same", "data-from": flow.from, "data-to": flow.to, "data-key": flow.key || null });
    group.append(svg("title", {}, flow.label));
    if (flow.state === "added" || flow.state === "changed") {
      group.append(svg("path", { d, class: "halo", "stroke-width": (width + 9).toFixed(1), fill: "none" }));
    }
    group.append(svg("path", {
      d, fill: "none", stroke: removed ? COLOURS.removed : COLOURS[flow.kind], "stroke-width": width.toFixed(1),
      "stroke-linecap": "round", "stroke-dasharray": removed ? "6 5" : null,
      "marker-end": `url(#${idPrefix}-arrow-${removed ? "removed" : flow.kind})`, class: "stroke",
    }));
    layer.append(group);
  }
  root.append(layer);

  const nodes = svg("g", { class: "firms" });
  // Labels never overlap: each takes the first free spot of right, left, above, below its dot; a firm with no
  // free spot keeps only its dot (its code and name show on hover or tap, in the title, and in the flow list).
  const taken = [];
  const CHAR = 8.5;
  const free = (box) => taken.every((o) => box.x2 < o.x1 || box.x1 > o.x2 || box.y2 < o.y1 || box.y1 > o.y2);
  const place = (p, label) => {
    const w = label.length * CHAR;
    const spots = [
      { x: p.x + 10, y: p.y + 4, anchor: "start", box: { x1: p.x + 9, x2: p.x + 11 + w, y1: p.y - 8, y2: p.y + 6 } },
      { x: p.x - 10, y: p.y + 4, anchor: "end", box: { x1: p.x - 11 - w, x2: p.x - 9, y1: p.y - 8, y2: p.y + 6 } },
      { x: p.x, y: p.y - 10, anchor: "middle", box: { x1: p.x - w / 2, x2: p.x + w / 2, y1: p.y - 22, y2: p.y - 8 } },
      { x: p.x, y: p.y + 20, anchor: "middle", box: { x1: p.x - w / 2, x2: p.x + w / 2, y1: p.y + 8, y2: p.y + 22 } },
    ].filter((s) => s.box.x1 >= 0 && s.box.x2 <= WIDTH);
    const spot = spots.find((s) => free(s.box));
    if (spot) taken.push(spot.box);
    return spot;
  };
  for (const firm of valid) taken.push({ x1: points.get(firm.id).x - 7, x2: points.get(firm.id).x + 7, y1: points.get(firm.id).y - 7, y2: points.get(firm.id).y + 7 });
  // Firms with moves get their labels first.
  const byActivity = [...valid].sort((a, b) => Number(involved.has(b.id)) - Number(involved.has(a.id)));
  const spots = new Map(byActivity.map((firm) => [firm.id, place(points.get(firm.id), firm.id)]));
  for (const firm of valid) {
    const p = points.get(firm.id);
    const active = involved.has(firm.id);
    const group = svg("g", { class: `firm${active ? " firm-active" : ""}`, "data-firm": firm.id });
    group.append(svg("title", {}, `${firm.id} ${firm.name}`));
    group.append(svg("circle", { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: active ? 7 : 4.5 }));
    const spot = spots.get(firm.id);
    if (spot) group.append(svg("text", { x: spot.x.toFixed(1), y: spot.y.toFixed(1), "text-anchor": spot.anchor }, firm.id));
    group.setAttribute("tabindex", "0");
    nodes.append(group);
  }
  root.append(nodes);

  // Scale bar and north arrow, so distances can be judged (lending and sub-contracting have radii in km).
  const km = niceKm((WIDTH * 0.25) / pxPerKm);
  const barPx = km * pxPerKm;
  const y = Math.round(height) - 18;
  root.append(svg("g", { class: "scale" },
    svg("line", { x1: 16, y1: y, x2: 16 + barPx, y2: y }),
    svg("line", { x1: 16, y1: y - 4, x2: 16, y2: y + 4 }),
    svg("line", { x1: 16 + barPx, y1: y - 4, x2: 16 + barPx, y2: y + 4 }),
    svg("text", { x: 16 + barPx / 2, y: y - 7, "text-anchor": "middle" }, `${fmtNumber(km, km < 1 ? 1 : 0)} km`)));
  root.append(svg("g", { class: "north" },
    svg("path", { d: `M${WIDTH - 24},14 l6,16 l-6,-4 l-6,4 z` }),
    svg("text", { x: WIDTH - 24, y: 44, "text-anchor": "middle" }, t("map.north"))));
  return root;
}

/** The legend beside the map (HTML, so it wraps on a phone and reads well with a screen reader). */
export function legend({ showChanges = false } = {}) {
  const swatch = (colour, width, dashed = false, halo = false) => {
    const icon = svg("svg", { viewBox: "0 0 40 12", width: 40, height: 12, "aria-hidden": "true", class: "swatch" });
    if (halo) icon.append(svg("line", { x1: 2, y1: 6, x2: 38, y2: 6, class: "halo", "stroke-width": width + 7 }));
    icon.append(svg("line", { x1: 2, y1: 6, x2: 38, y2: 6, stroke: colour, "stroke-width": width, "stroke-dasharray": dashed ? "6 5" : null }));
    return icon;
  };
  const item = (icon, text) => {
    const li = document.createElement("li");
    li.append(icon, " ", text);
    return li;
  };
  const list = document.createElement("ul");
  list.className = "legend";
  list.append(
    item(swatch(COLOURS.subcontract, 4), t("map.legend_subcontract")),
    item(swatch(COLOURS.loan, 4), t("map.legend_loan")),
    item(swatch("#555", 1.5), t("map.legend_width")),
  );
  if (showChanges) {
    list.append(item(swatch(COLOURS.loan, 3, false, true), t("map.legend_added")));
    list.append(item(swatch(COLOURS.removed, 2, true), t("map.legend_removed")));
  }
  return list;
}
