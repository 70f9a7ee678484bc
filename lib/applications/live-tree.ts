// The application page's resource tree as the keyboard walks it (WAI-ARIA tree view pattern): the rows a reader can
// see given which nodes are expanded, and what each navigation key does from a row. Pure, so the browser component
// keeps only focus and the expanded set, and the rules are unit-tested without a DOM.
import type { TLiveNode } from "@/lib/agent/protocol";

/** One visible row of the tree. */
export interface LiveTreeRow {
  /** Stable across refreshes: the path of kind/namespace/name from the root (an object appears once among siblings). */
  key: string;
  node: TLiveNode;
  /** 1 for the application's own objects (aria-level). */
  level: number;
  parentKey: string | null;
  expandable: boolean;
  /** Position among its siblings, 1-based, and how many siblings (aria-posinset / aria-setsize). */
  posInSet: number;
  setSize: number;
}

/**
 * Whether a node has more to show than its row when expanded: the fields that drifted from what Wharf applied (or why
 * its sync status is what it is) and its recent Events.
 */
export function hasLiveDetails(node: TLiveNode): boolean {
  return (
    (node.sync !== undefined && (node.sync.fields.length > 0 || node.sync.message !== undefined)) ||
    (node.events?.length ?? 0) > 0
  );
}

/** A node's key under its parent's. */
export function liveNodeKey(node: TLiveNode, parentKey: string | null): string {
  const own = `${node.apiVersion}/${node.kind}/${node.namespace ?? ""}/${node.name}`;
  return parentKey === null ? own : `${parentKey}>${own}`;
}

/** What is expanded when the tree first shows: the application's own objects, so their children are one key away. */
export function initialExpanded(roots: readonly TLiveNode[]): Set<string> {
  return new Set(roots.filter((node) => node.children.length > 0).map((node) => liveNodeKey(node, null)));
}

/** The rows in reading order: every root, and the children of expanded nodes, depth first. */
export function visibleRows(roots: readonly TLiveNode[], expanded: ReadonlySet<string>): LiveTreeRow[] {
  const rows: LiveTreeRow[] = [];
  const walk = (nodes: readonly TLiveNode[], level: number, parentKey: string | null) => {
    nodes.forEach((node, index) => {
      const key = liveNodeKey(node, parentKey);
      const expandable = node.children.length > 0 || hasLiveDetails(node);
      rows.push({ key, node, level, parentKey, expandable, posInSet: index + 1, setSize: nodes.length });
      if (expandable && expanded.has(key)) walk(node.children, level + 1, key);
    });
  };
  walk(roots, 1, null);
  return rows;
}

/** What a key press on a row does: move the focus to another row, expand or collapse the row, or nothing. */
export type LiveTreeAction =
  | { type: "focus"; key: string }
  | { type: "expand"; key: string }
  | { type: "collapse"; key: string }
  | { type: "expand-siblings"; keys: string[] }
  | null;

/**
 * The WAI-ARIA tree view keys: Down/Up to the next/previous visible row; Right opens a closed node, or moves into an
 * open one's first child; Left closes an open node, or moves to the parent; Home/End to the first/last row;
 * Enter toggles; `*` expands the row's siblings.
 */
export function treeKeyAction(
  rows: readonly LiveTreeRow[],
  expanded: ReadonlySet<string>,
  currentKey: string,
  key: string,
): LiveTreeAction {
  const index = rows.findIndex((row) => row.key === currentKey);
  if (index < 0) return rows.length > 0 ? { type: "focus", key: rows[0]!.key } : null;
  const row = rows[index]!;
  const open = row.expandable && expanded.has(row.key);
  switch (key) {
    case "ArrowDown":
      return index + 1 < rows.length ? { type: "focus", key: rows[index + 1]!.key } : null;
    case "ArrowUp":
      return index > 0 ? { type: "focus", key: rows[index - 1]!.key } : null;
    case "ArrowRight":
      if (!row.expandable) return null;
      if (!open) return { type: "expand", key: row.key };
      // An open node with details but no children has no child row to move into.
      return row.node.children.length > 0 ? { type: "focus", key: rows[index + 1]!.key } : null;
    case "ArrowLeft":
      if (open) return { type: "collapse", key: row.key };
      return row.parentKey !== null ? { type: "focus", key: row.parentKey } : null;
    case "Home":
      return { type: "focus", key: rows[0]!.key };
    case "End":
      return { type: "focus", key: rows[rows.length - 1]!.key };
    case "Enter":
      if (!row.expandable) return null;
      return open ? { type: "collapse", key: row.key } : { type: "expand", key: row.key };
    case "*": {
      const keys = rows
        .filter((other) => other.parentKey === row.parentKey && other.expandable && !expanded.has(other.key))
        .map((other) => other.key);
      return keys.length > 0 ? { type: "expand-siblings", keys } : null;
    }
    default:
      return null;
  }
}
