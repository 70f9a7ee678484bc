import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  YAMLParseError,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from "yaml";

/**
 * The one way Wharf parses YAML that users supply (manifests pasted or read from Git, imported kubeconfigs).
 *
 * YAML aliases repeat an anchored node without repeating its text, so a small document can describe a huge value:
 * one 1.4 MB anchored string referenced by 99 aliases is 139 MB once converted, and every later copy (JSON for the
 * database, digests, diffs) multiplies it. The `yaml` package's `maxAliasCount` bounds how often an anchor is used,
 * not how big its uses make the result, so that document passed it. Here the size aliases add is computed on the
 * parsed tree, before anything is converted (`toJS`), and a document past the budget gets a RESOURCE_EXHAUSTION
 * error like any other YAML error: callers report it with its line and never build the expansion.
 */

/**
 * How many characters aliases may add to what one parse expands to (all documents, and all files of one set,
 * together). Real manifests alias small blocks (resources, env lists, labels): kilobytes.
 */
export const YAML_ALIAS_EXPANSION_MAX_CHARS = 1024 * 1024;

/** What aliases may still add; share one between the parses that make up one input (the files of a repository). */
export interface AliasBudget {
  readonly maxChars: number;
  remaining: number;
}

export function newAliasBudget(maxChars = YAML_ALIAS_EXPANSION_MAX_CHARS): AliasBudget {
  return { maxChars, remaining: maxChars };
}

export type YamlOptions = ParseOptions & DocumentOptions & SchemaOptions;

/**
 * `parseAllDocuments` with the alias-expansion bound. A document whose aliases exceed what is left of `budget` carries
 * a RESOURCE_EXHAUSTION error in `doc.errors` (at the alias that crossed it); do not call `toJS` on documents with
 * errors. Never returns the `EmptyStream` object: no documents is an empty array.
 */
export function parseYamlDocuments(
  text: string,
  options: YamlOptions = {},
  budget: AliasBudget = newAliasBudget(),
): Document.Parsed[] {
  // `yaml` finds a duplicate key by comparing it with every earlier key of its mapping: quadratic, so one ConfigMap
  // of 20,000 keys (0.5 MB) took 26 s. Unless the caller brings its own comparison, the walk below checks keys with
  // a Set per mapping instead, with the same rule (scalar keys by value) and the same error.
  const checkKeys = options.uniqueKeys === undefined || options.uniqueKeys === true;
  const parsed = parseAllDocuments(text, checkKeys ? { ...options, uniqueKeys: false } : options);
  const docs = Array.isArray(parsed) ? parsed : [];
  for (const doc of docs) {
    const hadErrors = doc.errors.length > 0;
    const { errors: found, aliases } = walkDocument(doc, { budget: hadErrors ? undefined : budget, checkKeys });
    if (aliases) withAliases.add(doc);
    if (found.length === 0) continue;
    doc.errors.push(...found);
    if (hadErrors) doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
  }
  return docs;
}

const withAliases = new WeakSet<Document.Parsed>();

/**
 * Whether a document from `parseYamlDocuments` uses aliases: then `toJS` returns one object wherever its anchor is
 * repeated, and callers that modify objects must copy them first.
 */
export function usesAliases(doc: Document.Parsed): boolean {
  return withAliases.has(doc);
}

/**
 * A single YAML document (like `yaml`'s `parse`) converted to plain values, with the alias-expansion bound. Throws the
 * first YAMLParseError (RESOURCE_EXHAUSTION for an expansion past the bound); null for an empty input.
 */
export function parseYamlValue(text: string, options: YamlOptions = {}): unknown {
  const docs = parseYamlDocuments(text, options);
  const [first, second] = docs;
  if (second)
    throw new YAMLParseError(
      second.range ? [second.range[0], second.range[0] + 1] : [0, 1],
      "MULTIPLE_DOCS",
      "Source contains multiple documents; expected one.",
    );
  if (!first) return null;
  if (first.errors[0]) throw first.errors[0];
  return first.toJS();
}

type AnyNode = unknown;

function formatChars(n: number): string {
  return n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MiB` : `${n} characters`;
}

/**
 * Walks the document once, in source order. With `checkKeys`, a scalar key repeated in one mapping is a DUPLICATE_KEY
 * error, as `yaml` reports it. With a `budget`, every alias is sized as the node it repeats (an alias refers to the
 * last anchor of its name before it, as in `yaml`) and charged to the budget; the walk stops at the alias that
 * exhausts it, or at a cycle (an alias inside its own anchor), with a RESOURCE_EXHAUSTION error. Only anchored nodes
 * are remembered: nothing else can be repeated, and a map entry per node cost more than the parse on large inputs.
 */
function walkDocument(
  doc: Document.Parsed,
  opts: { budget: AliasBudget | undefined; checkKeys: boolean },
): { errors: YAMLParseError[]; aliases: boolean } {
  const { budget, checkKeys } = opts;
  const anchors = new Map<string, AnyNode>();
  const sizes = new Map<AnyNode, number>();
  const open = new Set<AnyNode>();
  const errors: YAMLParseError[] = [];
  let stopped = false;
  let aliases = false;

  const exhausted = (at: [number, number], message: string) => {
    errors.push(new YAMLParseError(at, "RESOURCE_EXHAUSTION", message));
    stopped = true;
  };

  const size = (node: AnyNode): number => {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      aliases = true;
      if (!budget || stopped) return 1;
      const target = anchors.get(node.source);
      // Unknown anchor: toJS reports it; nothing to charge.
      if (target === undefined) return 1;
      const at: [number, number] = node.range ? [node.range[0], node.range[1]] : [0, 1];
      if (open.has(target)) {
        exhausted(at, `alias *${node.source} refers to the node that contains it (a cycle)`);
        return 0;
      }
      const repeated = sizes.get(target) ?? 0;
      budget.remaining -= repeated;
      if (budget.remaining < 0) {
        exhausted(
          at,
          `YAML aliases (here *${node.source}) expand this input by more than ${formatChars(budget.maxChars)}; write the repeated content out or alias less`,
        );
        return 0;
      }
      return repeated;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) {
      anchors.set(anchor, node);
      open.add(node);
    }
    let total = 1;
    if (isScalar(node)) {
      total = Math.max(1, node.range ? node.range[1] - node.range[0] : String(node.value).length);
    } else if (isMap(node)) {
      const keys = checkKeys && node.items.length > 1 ? new Set<unknown>() : undefined;
      for (const item of node.items as AnyNode[]) {
        if (!isPair(item)) {
          total += size(item);
          continue;
        }
        const key = item.key;
        // NaN is never equal to itself (yaml compares with ===).
        if (keys && isScalar(key) && key.value === key.value) {
          if (keys.has(key.value))
            errors.push(
              new YAMLParseError(
                key.range ? [key.range[0], key.range[0] + 1] : [0, 1],
                "DUPLICATE_KEY",
                "Map keys must be unique",
              ),
            );
          else keys.add(key.value);
        }
        total += size(key) + size(item.value) + 1;
      }
    } else if (isSeq(node)) {
      for (const item of node.items as AnyNode[])
        total += isPair(item) ? size(item.key) + size(item.value) + 1 : size(item);
    }
    if (anchor) {
      open.delete(node);
      sizes.set(node, total);
    }
    return total;
  };

  size(doc.contents);
  return { errors, aliases };
}
