// Incident lineages: which versions belong to one incident, which are its heads, which heads
// conflict. Pure functions over opened records (no keys, no storage).
//
// A version replaces the rid its header `supersedes` and every rid its encrypted body `merges`.
// A lineage is the set of versions connected by those links; its heads are the versions nothing
// replaces. Two devices that edit the same version offline both make a head of one lineage:
// a conflict, shown once and flagged, until a version that supersedes one head and merges the
// others is saved (on any device) and synced. Nothing is ever dropped: every version stays in
// the history.

/** Head order: higher version first, then the newer save, then rid (deterministic everywhere). */
export function headOrder(a, b) {
  return b.version - a.version || b.savedAt - a.savedAt || (a.rid < b.rid ? 1 : a.rid > b.rid ? -1 : 0);
}

/** Newest save first (the list's order), rid as a tie-break. */
export function newestFirst(a, b) {
  return b.savedAt - a.savedAt || (a.rid < b.rid ? 1 : -1);
}

/**
 * Groups incident records ({incident, merges}) into lineages. Returns {lineages: [{members,
 * heads, primary}], lineageOf: Map rid -> lineage}, where members and heads are Incidents,
 * heads sorted by headOrder and `primary` the first head (what the list shows).
 */
export function lineages(records) {
  const parent = new Map();
  const find = (rid) => {
    let root = rid;
    while (parent.get(root) !== root) root = parent.get(root);
    while (parent.get(rid) !== root) {
      const next = parent.get(rid);
      parent.set(rid, root);
      rid = next;
    }
    return root;
  };
  for (const rec of records) parent.set(rec.incident.rid, rec.incident.rid);
  const replaced = new Set();
  for (const rec of records) {
    for (const other of [rec.incident.supersedes, ...rec.merges]) {
      if (!other) continue;
      replaced.add(other);
      if (parent.has(other)) parent.set(find(other), find(rec.incident.rid));
    }
  }
  const byRoot = new Map();
  for (const rec of records) {
    const root = find(rec.incident.rid);
    if (!byRoot.has(root)) byRoot.set(root, { members: [], heads: [], primary: null });
    const lineage = byRoot.get(root);
    lineage.members.push(rec.incident);
    if (!replaced.has(rec.incident.rid)) lineage.heads.push(rec.incident);
  }
  const lineageOf = new Map();
  const out = [];
  for (const lineage of byRoot.values()) {
    lineage.heads.sort(headOrder);
    // Links form no cycle (a version only names versions that existed before it); should
    // storage say otherwise, the newest member stands in as the head rather than hiding it.
    if (!lineage.heads.length) lineage.heads.push([...lineage.members].sort(headOrder)[0]);
    lineage.primary = lineage.heads[0];
    for (const m of lineage.members) lineageOf.set(m.rid, lineage);
    out.push(lineage);
  }
  return { lineages: out, lineageOf };
}

/** An Incident as the contract returns it: a copy, with the rids of the heads it conflicts with. */
export function present(incident, lineage) {
  const isHead = lineage.heads.includes(incident);
  const conflicts = isHead ? lineage.heads.filter((h) => h !== incident).map((h) => h.rid) : [];
  return { ...structuredClone(incident), conflicts };
}
