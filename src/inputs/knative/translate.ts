// A Cloud Run Knative YAML (`metadata`): a service.yaml, or a Job, as this action's inputs plus the v2 fields no
// input covers, through the one table in mapping.ts. Every finding names `file:line`. Pure: the file's text
// comes in.
import type { MetadataExtras } from '../../core/config';
import {
  annotationRule,
  KIND_LEVELS,
  type Kind,
  type Level,
  LEVEL_PLACES,
  NOT_ANNOTATIONS,
  RESERVED_ANNOTATION_DOMAINS,
  type Target,
  TEMPLATE_SPEC_FIELDS,
  V2_RESOURCES,
} from './mapping';
import { type MapNode, readContainers, type Report } from './container';
import { fieldHandlers, readJobSpec } from './job-spec';
import { parseYamlTree, scalarText, type YamlEntry, type YamlNode } from './yaml-tree';

/** The two documents a file may be, by `kind`, with the `apiVersion` each needs. */
const DOCUMENTS: Readonly<Record<string, { kind: Kind; apiVersion: string; what: string }>> = {
  Service: { kind: 'service', apiVersion: 'serving.knative.dev/v1', what: 'a Cloud Run service' },
  Job: { kind: 'job', apiVersion: 'run.googleapis.com/v1', what: 'a Cloud Run job' },
};

export interface KnativeTranslation {
  /** What the file describes, once its `kind` is known: a Job file means `mode: job` (inputs.mode). */
  kind?: Kind;
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

/** Translates one service.yaml or Job file; `file` is the name findings use. */
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
  new Translator(file, out).document(parsed.root);
  return out;
}

/** What each level's `metadata` is, for messages. */
const METADATA_OF: Readonly<Record<Level, string>> = {
  service: "a service's metadata",
  template: "a revision template's metadata",
  job: "a job's metadata",
  execution: "an execution template's metadata",
};

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

  /** The kind of file being read; its annotation levels and messages follow it. */
  private kind: Kind = 'service';

  document(root: YamlNode): void {
    const top = this.map(root, '(document)');
    if (!top) return;
    const apiVersion = top.entries.get('apiVersion');
    const kindEntry = top.entries.get('kind');
    const kindText = scalarText(kindEntry?.value ?? root);
    const doc =
      kindText !== undefined && Object.hasOwn(DOCUMENTS, kindText) ? DOCUMENTS[kindText] : undefined;
    if (!doc)
      this.error(
        kindEntry?.line ?? 1,
        '`kind` must be `Service` (a Cloud Run service, `apiVersion: serving.knative.dev/v1`) or `Job` (a Cloud Run job, `apiVersion: run.googleapis.com/v1`)',
      );
    const { kind, apiVersion: wanted, what } = doc ?? DOCUMENTS.Service;
    this.kind = kind;
    if (doc) this.out.kind = kind;
    if (scalarText(apiVersion?.value ?? root) !== wanted)
      this.error(apiVersion?.line ?? 1, `\`apiVersion\` must be \`${wanted}\` (${what})`);
    // A Job file is `mode: job`; metadata.ts refuses another mode given beside it.
    if (doc && kind === 'job') this.setInput('mode', 'job', kindEntry!.line, 'kind');
    this.keys(
      top,
      '',
      {
        apiVersion: () => {},
        kind: () => {},
        metadata: (e, p) => this.metadata(e, p, KIND_LEVELS[kind][0]),
        spec: (e, p) => (kind === 'job' ? readJobSpec(this.report, e, p) : this.serviceSpec(e, p)),
        status: (e) => this.warn(e.line, '`status` is ignored: it is output only'),
      },
      what,
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
          else if (level === 'job') this.setInput('job', value, e.line, p);
          else if (level === 'execution')
            this.warn(e.line, `\`${p}\` is ignored: Cloud Run names each execution \`JOB-XXXXX\``);
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
      METADATA_OF[level],
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
      const not = NOT_ANNOTATIONS[this.kind][key];
      if (not) {
        this.error(e.line, `\`${key}\` ${not}`);
        continue;
      }
      const { here, row } = annotationRule(key, level);
      if (!here) {
        const domain = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
        const mine = row?.levels.find((l) => KIND_LEVELS[this.kind].includes(l));
        if (row && mine)
          this.error(
            e.line,
            `\`${key}\` belongs on the ${LEVEL_PLACES[mine]}, not here: Cloud Run refuses it at this level (${row.source})`,
          );
        else if (row)
          this.error(
            e.line,
            `\`${key}\` is not accepted on a Cloud Run ${this.kind}: Cloud Run takes it on a ${row.levels.map((l) => LEVEL_PLACES[l].split(' (')[0]).join(' or a ')} only (${row.source})`,
          );
        else if (RESERVED_ANNOTATION_DOMAINS.includes(domain))
          this.error(
            e.line,
            `\`${key}\` is not an annotation Cloud Run accepts (docs/platform.md "Knative service.yaml")`,
          );
        else if (level === KIND_LEVELS[this.kind][0]) this.out.extras.serviceAnnotations[key] = value;
        else this.out.extras.templateAnnotations[key] = value;
        continue;
      }
      if ('untranslated' in here.to) {
        this.error(
          e.line,
          `\`${key}\` is a v2 ${V2_RESOURCES[level]} field this action does not write from a file yet; remove it from the file (${this.keeps()})`,
        );
        continue;
      }
      this.apply(here.to, value, e.line, p, key);
    }
  }

  private apply(to: Target, value: string, line: number, path: string, name: string): void {
    if ('ignored' in to) this.warn(line, `\`${name}\` is ignored: ${to.ignored}`);
    else if ('untranslated' in to)
      this.error(line, `\`${name}\` is not translated yet; remove it from the file (${this.keeps()})`);
    else if ('refused' in to) this.error(line, `\`${name}\` ${to.refused}`);
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

  /** Why refusing a setting leaves the live one alone. */
  private keeps(): string {
    return this.kind === 'job'
      ? 'a setting already on the job stays: the update starts from the job as read'
      : 'a setting already on the service stays: updates keep what they do not name';
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
    const handlers = fieldHandlers(this.report, TEMPLATE_SPEC_FIELDS);
    handlers.containers = (e, p) =>
      readContainers(this.report, e, p, {
        kind: 'service',
        volumes,
        volumesPath: `${path}.volumes`,
        template,
      });
    handlers.volumes = () => {};
    this.keys(node, path, handlers, "a revision's spec");
  }

  /** What the container and job readers (container.ts, job-spec.ts) report through. */
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
    metadata: (entry: YamlEntry, path: string, level: Level) => this.metadata(entry, path, level),
    extras: () => this.out.extras,
    hasTemplateAnnotation: (template: MapNode, key: string) => {
      const metadata = template.entries.get('metadata')?.value;
      const annotations = metadata?.kind === 'map' ? metadata.entries.get('annotations')?.value : undefined;
      return annotations?.kind === 'map' && annotations.entries.has(key);
    },
  };
}
