// A Knative service.yaml as a small tree whose every node knows its line, so each finding can say
// `file:line`. Pure: text in, tree or syntax errors out.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

export type YamlNode =
  | { kind: 'map'; line: number; entries: Map<string, YamlEntry> }
  | { kind: 'seq'; line: number; items: YamlNode[] }
  | { kind: 'scalar'; line: number; value: string | number | boolean | null };

/** A key of a map: the line the key is on, and its value. */
export interface YamlEntry {
  line: number;
  value: YamlNode;
}

export interface ParsedYaml {
  root?: YamlNode;
  /** Syntax errors, each `line N: …`. */
  errors: string[];
}

/** Parses one YAML document; a second document, anchors that do not resolve and duplicate keys are errors. */
export function parseYamlTree(text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number | undefined) => (offset === undefined ? 0 : lines.linePos(offset).line);
  const errors = doc.errors.map((e) => `line ${lineOf(e.pos[0])}: ${e.message.split('\n')[0]}`);
  if (errors.length > 0) return { errors };
  const convert = (node: unknown, fallbackLine: number): YamlNode => {
    const line = lineOf((node as Node | undefined)?.range?.[0]) || fallbackLine;
    if (isMap(node)) {
      const entries = new Map<string, YamlEntry>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyLine = lineOf((pair.key as Node | undefined)?.range?.[0]) || line;
        entries.set(key, { line: keyLine, value: convert(pair.value, keyLine) });
      }
      return { kind: 'map', line, entries };
    }
    if (isSeq(node)) return { kind: 'seq', line, items: node.items.map((item) => convert(item, line)) };
    if (isScalar(node)) {
      const v = node.value;
      const value =
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
          ? v
          : v === null
            ? null
            : String(v);
      return { kind: 'scalar', line, value };
    }
    return { kind: 'scalar', line, value: null };
  };
  return { root: convert(doc.contents, 1), errors: [] };
}

/** A scalar's text as Kubernetes reads an annotation or string field (`true`, `3600`, `'false'`). */
export function scalarText(node: YamlNode): string | undefined {
  if (node.kind !== 'scalar' || node.value === null) return undefined;
  return String(node.value);
}
