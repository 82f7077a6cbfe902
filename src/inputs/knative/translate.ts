// A Cloud Run Knative service.yaml (`metadata`) as this action's inputs plus the v2 fields no input covers,
// through the one table in mapping.ts. Every finding names `file:line`. Pure: the file's text comes in.
import type { MetadataExtras } from '../../core/config';
import {
  annotationRule,
  type Level,
  NOT_ANNOTATIONS,
  RESERVED_ANNOTATION_DOMAINS,
  type Target,
  TEMPLATE_SPEC_FIELDS,
} from './mapping';
import { ContainerReader, type MapNode, type Report } from './container';
import { parseYamlTree, scalarText, type YamlEntry, type YamlNode } from './yaml-tree';

export interface KnativeTranslation {
  /** Input values the file gives, in each input's own syntax; typed inputs given beside the file win. */
  inputs: Record<string, string>;
  /** Where each input's value came from: `service.yaml:12 (spec.template.spec.timeoutSeconds)`. */
  origins: Record<string, string>;
  extras: MetadataExtras;
  /** Each `file:line: …`; any error refuses the file. */
  errors: string[];
  /** Each `file:line: …`: accepted, with something the user should know. */
  warnings: string[];
}

/** Translates one service.yaml; `file` is the name findings use. */
export function translateKnative(text: string, file: string): KnativeTranslation {
  const out: KnativeTranslation = {
    inputs: {},
    origins: {},
    extras: { file, container: {}, serviceAnnotations: {}, templateAnnotations: {} },
    errors: [],
    warnings: [],
  };
  const parsed = parseYamlTree(text);
  for (const e of parsed.errors) out.errors.push(`${file}:${e.replace(/^line /, '')}`);
  if (!parsed.root) return out;
  new Translator(file, out).service(parsed.root);
  return out;
}

class Translator {
  constructor(
    private readonly file: string,
    private readonly out: KnativeTranslation,
  ) {}

  private at(line: number): string {
    return `${this.file}:${line}`;
  }
  private error(line: number, message: string): void {
    this.out.errors.push(`${this.at(line)}: ${message}`);
  }
  private warn(line: number, message: string): void {
    this.out.warnings.push(`${this.at(line)}: ${message}`);
  }

  /** Sets an input from the file, once; a second source for the same input is an error. */
  private setInput(input: string, value: string, line: number, path: string): void {
    const before = this.out.origins[input];
    if (before !== undefined && this.out.inputs[input] !== value) {
      this.error(line, `\`${path}\` sets \`${input}\` again (already set at ${before}); keep one`);
      return;
    }
    this.out.inputs[input] = value;
    this.out.origins[input] = `${this.at(line)} (\`${path}\`)`;
  }

  private map(node: YamlNode, path: string): MapNode | undefined {
    if (node.kind === 'map') return node;
    this.error(node.line, `\`${path}\` must be a mapping`);
    return undefined;
  }

  private scalar(entry: YamlEntry, path: string): string | undefined {
    const value = scalarText(entry.value);
    if (value === undefined) this.error(entry.line, `\`${path}\` must be a single value`);
    return value;
  }

  /** Reads a mapping's keys through handlers; any other key is refused by name. */
  private keys(
    node: MapNode,
    path: string,
    handlers: Record<string, (entry: YamlEntry, path: string) => void>,
    what: string,
  ): void {
    for (const [key, entry] of node.entries) {
      const handler = handlers[key];
      const at = path === '' ? key : `${path}.${key}`;
      if (handler) handler(entry, at);
      else this.error(entry.line, `\`${at}\` is not a field of ${what}; remove it or fix its spelling`);
    }
  }

  service(root: YamlNode): void {
    const top = this.map(root, '(document)');
    if (!top) return;
    const apiVersion = top.entries.get('apiVersion');
    const kind = top.entries.get('kind');
    if (scalarText(apiVersion?.value ?? root) !== 'serving.knative.dev/v1')
      this.error(
        apiVersion?.line ?? 1,
        '`apiVersion` must be `serving.knative.dev/v1` (a Cloud Run service)',
      );
    if (scalarText(kind?.value ?? root) !== 'Service')
      this.error(
        kind?.line ?? 1,
        '`kind` must be `Service` (Cloud Run Jobs are not deployed by this action)',
      );
    this.keys(
      top,
      '',
      {
        apiVersion: () => {},
        kind: () => {},
        metadata: (e, p) => this.metadata(e, p, 'service'),
        spec: (e, p) => this.serviceSpec(e, p),
        status: (e) => this.warn(e.line, '`status` is ignored: it is output only'),
      },
      'a Cloud Run service',
    );
  }

  private metadata(entry: YamlEntry, path: string, level: Level): void {
    const node = this.map(entry.value, path);
    if (!node) return;
    this.keys(
      node,
      path,
      {
        name: (e, p) => {
          const value = this.scalar(e, p);
          if (value === undefined) return;
          if (level === 'service') this.setInput('service', value, e.line, p);
          else
            this.warn(
              e.line,
              `\`${p}\` is ignored: each release names its revision \`SERVICE-SUFFIX\` (\`revision_suffix\`); a fixed name would be refused by the second deploy (409)`,
            );
        },
        namespace: (e) =>
          this.warn(
            e.line,
            '`metadata.namespace` is ignored: the project is `project_id` (or the one auth exported)',
          ),
        labels: (e, p) => this.labels(e, p),
        annotations: (e, p) => this.annotations(e, p, level),
        generation: (e) => this.warn(e.line, '`metadata.generation` is ignored: it is output only'),
        creationTimestamp: (e) =>
          this.warn(e.line, '`metadata.creationTimestamp` is ignored: it is output only'),
        resourceVersion: (e) => this.warn(e.line, '`metadata.resourceVersion` is ignored: it is output only'),
        selfLink: (e) => this.warn(e.line, '`metadata.selfLink` is ignored: it is output only'),
        uid: (e) => this.warn(e.line, '`metadata.uid` is ignored: it is output only'),
      },
      level === 'service' ? "a service's metadata" : "a revision template's metadata",
    );
  }

  private labelLines: string[] = [];
  private labelLine = 0;

  private labels(entry: YamlEntry, path: string): void {
    const node = this.map(entry.value, path);
    if (!node) return;
    for (const [key, e] of node.entries) {
      const value = this.scalar(e, `${path}.${key}`);
      if (value === undefined) continue;
      if (key === 'cloud.googleapis.com/location') {
        this.setInput('region', value, e.line, `${path}.${key}`);
        continue;
      }
      if (!this.labelLines.includes(`${key}=${value}`)) this.labelLines.push(`${key}=${value}`);
      this.labelLine ||= e.line;
    }
    if (this.labelLines.length > 0)
      this.setInputQuietly('labels', this.labelLines.join('\n'), this.labelLine, path);
  }

  /** For values gathered from several places (labels, env): the last write wins, the first line is cited. */
  private setInputQuietly(input: string, value: string, line: number, path: string): void {
    this.out.inputs[input] = value;
    this.out.origins[input] ??= `${this.at(line)} (\`${path}\`)`;
  }

  private annotations(entry: YamlEntry, path: string, level: Level): void {
    const node = this.map(entry.value, path);
    if (!node) return;
    for (const [key, e] of node.entries) {
      const p = `${path}["${key}"]`;
      const value = this.scalar(e, p);
      if (value === undefined) continue;
      if (NOT_ANNOTATIONS[key]) {
        this.error(e.line, `\`${key}\` ${NOT_ANNOTATIONS[key]}`);
        continue;
      }
      const { here, elsewhere } = annotationRule(key, level);
      if (!here) {
        const domain = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
        if (elsewhere)
          this.error(
            e.line,
            `\`${key}\` belongs on the ${elsewhere.level === 'template' ? 'revision template (`spec.template.metadata.annotations`)' : 'service (`metadata.annotations`)'}, not here: Cloud Run refuses it at this level (${elsewhere.source})`,
          );
        else if (RESERVED_ANNOTATION_DOMAINS.includes(domain))
          this.error(
            e.line,
            `\`${key}\` is not an annotation Cloud Run accepts (docs/platform.md "Knative service.yaml")`,
          );
        else if (level === 'service') this.out.extras.serviceAnnotations[key] = value;
        else this.out.extras.templateAnnotations[key] = value;
        continue;
      }
      this.apply(here.to, value, e.line, p, key);
    }
  }

  private apply(to: Target, value: string, line: number, path: string, name: string): void {
    if ('ignored' in to) this.warn(line, `\`${name}\` is ignored: ${to.ignored}`);
    else if ('untranslated' in to)
      this.error(
        line,
        `\`${name}\` is ${to.untranslated}; remove it from the file (a setting already on the service stays: updates keep what they do not name)`,
      );
    else if ('extra' in to) this.extra(to.extra, value, line, name);
    else {
      const converted = (to.convert ?? ((v: string) => v))(value);
      if (converted === undefined) {
        this.error(line, `\`${name}\`: ${JSON.stringify(value)} is not a value it takes`);
        return;
      }
      this.setInput(to.input, converted, line, path);
      for (const [input, v] of Object.entries(to.also ?? {})) this.setInput(input, v, line, path);
    }
  }

  private extra(kind: 'description' | 'networkInterfaces', value: string, line: number, name: string): void {
    if (kind === 'description') {
      this.out.extras.description = value;
      return;
    }
    // docs/platform.md "VPC egress": one interface, with a network, a subnetwork or both, and its tags.
    let list: unknown;
    try {
      list = JSON.parse(value);
    } catch {
      list = undefined;
    }
    const one = Array.isArray(list) && list.length === 1 ? (list[0] as Record<string, unknown>) : undefined;
    const known = one && Object.keys(one).every((k) => ['network', 'subnetwork', 'tags'].includes(k));
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const tags = one?.tags;
    if (
      !one ||
      !known ||
      (one.network === undefined && one.subnetwork === undefined) ||
      (one.network !== undefined && !text(one.network)) ||
      (one.subnetwork !== undefined && !text(one.subnetwork)) ||
      (tags !== undefined && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string')))
    ) {
      this.error(
        line,
        `\`${name}\` must be a JSON list of one interface such as \`[{"network":"default","subnetwork":"default","tags":["web"]}]\` (Cloud Run takes one)`,
      );
      return;
    }
    if (text(one.network)) this.setInput('vpc_network', text(one.network)!, line, name);
    if (text(one.subnetwork)) this.setInput('vpc_subnet', text(one.subnetwork)!, line, name);
    if (Array.isArray(tags) && tags.length > 0)
      this.setInput('vpc_network_tags', (tags as string[]).join(','), line, name);
  }

  private serviceSpec(entry: YamlEntry, path: string): void {
    const node = this.map(entry.value, path);
    if (!node) return;
    this.keys(
      node,
      path,
      {
        template: (e, p) => this.template(e, p),
        traffic: (e) =>
          this.warn(
            e.line,
            '`spec.traffic` is ignored: the release moves traffic itself (`traffic_steps`), and a failure restores the split as it was',
          ),
      },
      "a service's spec",
    );
  }

  private template(entry: YamlEntry, path: string): void {
    const node = this.map(entry.value, path);
    if (!node) return;
    this.keys(
      node,
      path,
      { metadata: (e, p) => this.metadata(e, p, 'template'), spec: (e, p) => this.templateSpec(e, p, node) },
      'a revision template',
    );
  }

  private templateSpec(entry: YamlEntry, path: string, template: MapNode): void {
    const node = this.map(entry.value, path);
    if (!node) return;
    const volumes = node.entries.get('volumes');
    const handlers: Record<string, (e: YamlEntry, p: string) => void> = {};
    for (const [key, target] of Object.entries(TEMPLATE_SPEC_FIELDS)) {
      if ('walk' in target) continue;
      handlers[key] = (e, p) => {
        const value = this.scalar(e, p);
        if (value !== undefined) this.apply(target, value, e.line, p, p);
      };
    }
    handlers.containers = (e, p) => this.containers(e, p, volumes, template);
    handlers.volumes = () => {};
    this.keys(node, path, handlers, "a revision's spec");
  }

  private containers(
    entry: YamlEntry,
    path: string,
    volumes: YamlEntry | undefined,
    template: MapNode,
  ): void {
    if (entry.value.kind !== 'seq' || entry.value.items.length === 0) {
      this.error(entry.line, `\`${path}\` must list the container`);
      return;
    }
    if (entry.value.items.length > 1) {
      this.error(
        entry.value.items[1].line,
        `\`${path}\` lists ${entry.value.items.length} containers: sidecars are not translated yet; deploy one container from the file`,
      );
      return;
    }
    const node = this.map(entry.value.items[0], `${path}[0]`);
    if (node) new ContainerReader(this.report, `${path}[0]`, volumes, template).read(node);
  }

  /** What the container reader (container.ts) reports through. */
  private readonly report: Report = {
    error: (line: number, message: string) => this.error(line, message),
    warn: (line: number, message: string) => this.warn(line, message),
    input: (input: string, value: string, line: number, path: string) =>
      this.setInput(input, value, line, path),
    quietly: (input: string, value: string, line: number, path: string) =>
      this.setInputQuietly(input, value, line, path),
    scalar: (e: YamlEntry, path: string) => this.scalar(e, path),
    map: (node: YamlNode, path: string) => this.map(node, path),
    keys: (
      node: MapNode,
      path: string,
      handlers: Record<string, (entry: YamlEntry, path: string) => void>,
      what: string,
    ) => this.keys(node, path, handlers, what),
    apply: (to: Target, value: string, line: number, path: string) => this.apply(to, value, line, path, path),
    extras: () => this.out.extras,
    hasTemplateAnnotation: (template: MapNode, key: string) => {
      const metadata = template.entries.get('metadata')?.value;
      const annotations = metadata?.kind === 'map' ? metadata.entries.get('annotations')?.value : undefined;
      return annotations?.kind === 'map' && annotations.entries.has(key);
    },
  };
}
