// The one container of a service.yaml or a Job file, read through CONTAINER_FIELDS (and, for a job's task,
// JOB_CONTAINER_FIELDS) in mapping.ts: image, ports, env and secrets, limits, secret volumes, probes. Reports
// through the translator (translate.ts). Pure.
import type { MetadataExtras, Probe } from '../../core/config';
import { CONTAINER_FIELDS, JOB_CONTAINER_FIELDS, type Kind, type Level, type Target } from './mapping';
import { scalarText, type YamlEntry, type YamlNode } from './yaml-tree';

export type MapNode = Extract<YamlNode, { kind: 'map' }>;

/** What the translator lends the readers of a spec: its findings, its inputs and its walkers. */
export interface Report {
  error(line: number, message: string): void;
  warn(line: number, message: string): void;
  /** Sets an input once; a second, different value is an error. */
  input(input: string, value: string, line: number, path: string): void;
  /** Sets an input gathered from several places (env, secrets): the first line is cited. */
  quietly(input: string, value: string, line: number, path: string): void;
  scalar(e: YamlEntry, path: string): string | undefined;
  map(node: YamlNode, path: string): MapNode | undefined;
  keys(
    node: MapNode,
    path: string,
    handlers: Record<string, (entry: YamlEntry, path: string) => void>,
    what: string,
  ): void;
  apply(to: Target, value: string, line: number, path: string): void;
  /** Reads a `metadata` mapping (name, labels, annotations) at an annotation level. */
  metadata(entry: YamlEntry, path: string, level: Level): void;
  extras(): MetadataExtras;
  hasTemplateAnnotation(template: MapNode, key: string): boolean;
}

/** Where a container sits: a service's revision or a job's task, and the volumes its mounts name. */
export interface ContainerPlace {
  kind: Kind;
  volumes: YamlEntry | undefined;
  /** Where `volumes` is in the file, for messages. */
  volumesPath: string;
  /** A service's revision template: its `cpu-throttling` annotation says what `resources` means. */
  template?: MapNode;
}

/** Reads `containers`: one container; a second one (a sidecar) is refused at its line. */
export function readContainers(r: Report, entry: YamlEntry, path: string, place: ContainerPlace): void {
  if (entry.value.kind !== 'seq' || entry.value.items.length === 0)
    return r.error(entry.line, `\`${path}\` must list the container`);
  if (entry.value.items.length > 1)
    return r.error(
      entry.value.items[1].line,
      place.kind === 'job'
        ? `\`${path}\` lists ${entry.value.items.length} containers: a Cloud Run job's task runs one container`
        : `\`${path}\` lists ${entry.value.items.length} containers: sidecars are not translated yet; deploy one container from the file`,
    );
  const node = r.map(entry.value.items[0], `${path}[0]`);
  if (node) new ContainerReader(r, `${path}[0]`, place).read(node);
}

/** The one container: its fields through CONTAINER_FIELDS (and JOB_CONTAINER_FIELDS for a job's task). */
export class ContainerReader {
  constructor(
    private readonly r: Report,
    private readonly path: string,
    private readonly place: ContainerPlace,
  ) {}

  read(node: MapNode): void {
    const r = this.r;
    const job = this.place.kind === 'job';
    const fields = job ? { ...CONTAINER_FIELDS, ...JOB_CONTAINER_FIELDS } : CONTAINER_FIELDS;
    const handlers: Record<string, (e: YamlEntry, p: string) => void> = {};
    for (const [key, target] of Object.entries(fields))
      if (!('walk' in target))
        handlers[key] = (e, p) => {
          if ('refused' in target) return r.error(e.line, `\`${p}\`: ${target.refused}`);
          const value = r.scalar(e, p);
          if (value !== undefined) r.apply(target, value, e.line, p);
        };
    const strings = (e: YamlEntry, p: string) => {
      if (e.value.kind !== 'seq') return void r.error(e.line, `\`${p}\` must be a list`);
      return e.value.items.map((item) => scalarText(item) ?? '');
    };
    handlers.name = (e, p) => (r.extras().container.name = r.scalar(e, p));
    handlers.workingDir = (e, p) => (r.extras().container.workingDir = r.scalar(e, p));
    handlers.command = (e, p) => (r.extras().container.command = strings(e, p));
    handlers.args = job
      ? (e, p) => this.jobArgs(strings(e, p), e, p)
      : (e, p) => (r.extras().container.args = strings(e, p));
    handlers.env = (e, p) => this.env(e, p);
    handlers.resources = (e, p) => this.resources(e, p);
    handlers.volumeMounts = (e, p) => this.mounts(e, p);
    if (!job) {
      handlers.ports = (e, p) => this.ports(e, p);
      handlers.startupProbe = (e, p) => (r.extras().container.startupProbe = this.probe(e, p));
      handlers.livenessProbe = (e, p) => (r.extras().container.livenessProbe = this.probe(e, p));
    }
    r.keys(node, this.path, handlers, job ? "a Cloud Run job's container" : 'a Cloud Run container');
  }

  /** A job's `args` become the `args` input, one per line; an empty list clears the job's arguments. */
  private jobArgs(args: string[] | undefined, entry: YamlEntry, path: string): void {
    if (args === undefined) return;
    if (args.length === 0) return void (this.r.extras().container.args = []);
    const multiline = args.findIndex((a) => a.includes('\n'));
    if (multiline >= 0)
      return this.r.error(
        entry.value.kind === 'seq' ? entry.value.items[multiline].line : entry.line,
        `\`${path}[${multiline}]\` spans lines; the \`args\` input takes one argument per line`,
      );
    this.r.input('args', args.join('\n'), entry.line, path);
  }

  private ports(entry: YamlEntry, path: string): void {
    const r = this.r;
    if (entry.value.kind !== 'seq') return r.error(entry.line, `\`${path}\` must be a list`);
    if (entry.value.items.length > 1)
      return r.error(
        entry.value.items[1].line,
        `\`${path}\`: Cloud Run routes requests to one port; list one`,
      );
    const port = entry.value.items[0] && r.map(entry.value.items[0], `${path}[0]`);
    if (!port) return;
    r.keys(
      port,
      `${path}[0]`,
      {
        name: (e, p) => {
          const name = r.scalar(e, p);
          if (name === 'h2c' || name === 'http1') r.input('use_http2', String(name === 'h2c'), e.line, p);
          else if (name !== undefined)
            r.error(
              e.line,
              `\`${p}\`: ${JSON.stringify(name)} is not \`http1\` or \`h2c\` (the name selects the protocol)`,
            );
        },
        containerPort: (e, p) => {
          const value = r.scalar(e, p);
          if (value !== undefined) r.input('port', value, e.line, p);
        },
        protocol: (e, p) => {
          if (r.scalar(e, p) !== 'TCP') r.error(e.line, `\`${p}\` can only be \`TCP\``);
        },
      },
      'a Cloud Run container port',
    );
  }

  private env(entry: YamlEntry, path: string): void {
    const r = this.r;
    if (entry.value.kind !== 'seq') return r.error(entry.line, `\`${path}\` must be a list`);
    const plain: string[] = [];
    const secrets: string[] = [];
    entry.value.items.forEach((item, i) => {
      const p = `${path}[${i}]`;
      const node = r.map(item, p);
      if (!node) return;
      const name = node.entries.get('name');
      const nameText = name && r.scalar(name, `${p}.name`);
      if (nameText === undefined) return r.error(item.line, `\`${p}\` has no \`name\``);
      if (nameText === 'PORT' && this.place.kind === 'service')
        return r.error(
          name!.line,
          '`PORT` is set by Cloud Run from the container port and cannot be set by hand; set `containerPort` (or `port`) instead',
        );
      let added = false;
      r.keys(
        node,
        p,
        {
          name: () => {},
          value: (e, vp) => {
            const value = scalarText(e.value) ?? '';
            if (value.includes('\n'))
              return r.error(e.line, `\`${vp}\` spans lines; env values from the file must fit on one line`);
            plain.push(`${nameText}=${value}`);
            added = true;
          },
          valueFrom: (e, vp) => {
            const ref = this.secretKeyRef(e, vp);
            if (ref) secrets.push(`${nameText}=${ref}`);
            added = true;
          },
        },
        'a Cloud Run env entry',
      );
      if (!added) plain.push(`${nameText}=`);
    });
    if (plain.length > 0) r.quietly('env_vars', plain.join('\n'), entry.line, path);
    if (secrets.length > 0) this.addSecrets(secrets, entry.line, path);
  }

  private secretLines: string[] = [];
  private addSecrets(lines: string[], line: number, path: string): void {
    this.secretLines.push(...lines);
    this.r.quietly('secrets', this.secretLines.join('\n'), line, path);
  }

  private secretKeyRef(entry: YamlEntry, path: string): string | undefined {
    const r = this.r;
    const node = r.map(entry.value, path);
    const ref = node?.entries.get('secretKeyRef');
    if (!node || !ref || node.entries.size !== 1) {
      r.error(entry.line, `\`${path}\` can only be \`secretKeyRef\` (a Secret Manager secret)`);
      return undefined;
    }
    const refNode = r.map(ref.value, `${path}.secretKeyRef`);
    if (!refNode) return undefined;
    let secret: string | undefined;
    let version = 'latest';
    r.keys(
      refNode,
      `${path}.secretKeyRef`,
      {
        name: (e, p) => (secret = r.scalar(e, p)),
        key: (e, p) => (version = r.scalar(e, p) ?? version),
      },
      'a secret reference',
    );
    if (secret === undefined) r.error(ref.line, `\`${path}.secretKeyRef\` has no \`name\` (the secret)`);
    return secret === undefined ? undefined : `${secret}:${version}`;
  }

  private resources(entry: YamlEntry, path: string): void {
    const r = this.r;
    const node = r.map(entry.value, path);
    if (!node) return;
    const template = this.place.template;
    if (template && !r.hasTemplateAnnotation(template, 'run.googleapis.com/cpu-throttling'))
      r.warn(
        entry.line,
        '`resources` without `run.googleapis.com/cpu-throttling` on the template: the v2 API reads `resources` without `cpuIdle` as CPU always allocated, billed per instance; this action writes the choice explicitly (`cpu_always_allocated`, from the profile when neither says); add the annotation to say which you mean',
      );
    r.keys(
      node,
      path,
      {
        limits: (e, p) => {
          const limits = r.map(e.value, p);
          if (!limits) return;
          r.keys(
            limits,
            p,
            {
              cpu: (le, lp) => {
                const v = r.scalar(le, lp);
                if (v !== undefined) r.input('cpu', v, le.line, lp);
              },
              memory: (le, lp) => {
                const v = r.scalar(le, lp);
                if (v !== undefined) r.input('memory', v, le.line, lp);
              },
            },
            'Cloud Run container limits (`cpu`, `memory`; GPUs are not translated yet)',
          );
        },
        requests: (e, p) =>
          r.error(e.line, `\`${p}\`: Cloud Run sets \`limits\` only; move the values to \`limits\``),
      },
      'Cloud Run container resources',
    );
  }

  private mounts(entry: YamlEntry, path: string): void {
    const r = this.r;
    if (entry.value.kind !== 'seq') return r.error(entry.line, `\`${path}\` must be a list`);
    const volumes = new Map<string, MapNode>();
    const declared = this.place.volumes;
    if (declared?.value.kind === 'seq')
      for (const v of declared.value.items) {
        const name = v.kind === 'map' ? scalarText(v.entries.get('name')?.value ?? v) : undefined;
        if (name && v.kind === 'map') volumes.set(name, v);
      }
    const lines: string[] = [];
    entry.value.items.forEach((item, i) => {
      const p = `${path}[${i}]`;
      const node = r.map(item, p);
      if (!node) return;
      let name: string | undefined;
      let mountPath: string | undefined;
      r.keys(
        node,
        p,
        { name: (e, np) => (name = r.scalar(e, np)), mountPath: (e, np) => (mountPath = r.scalar(e, np)) },
        'a volume mount',
      );
      const volume = name === undefined ? undefined : volumes.get(name);
      if (!volume || mountPath === undefined)
        return r.error(
          item.line,
          `\`${p}\` names no volume of \`${this.place.volumesPath}\` with a \`mountPath\``,
        );
      const secret = volume.entries.get('secret');
      const kinds = [...volume.entries.keys()].filter((k) => k !== 'name');
      if (!secret || kinds.length !== 1)
        return r.error(
          volume.line,
          `volume \`${name}\` is not a secret volume; only Secret Manager volumes are translated yet`,
        );
      const s = r.map(secret.value, `volume ${name}.secret`);
      const secretName = s && scalarText(s.entries.get('secretName')?.value ?? s);
      const items = s?.entries.get('items');
      if (!s || !secretName || items?.value.kind !== 'seq')
        return r.error(
          secret.line,
          `volume \`${name}\`: name the secret (\`secretName\`) and its files (\`items\`: \`key\` the version, \`path\` the file)`,
        );
      for (const it of items.value.items) {
        const file = it.kind === 'map' ? scalarText(it.entries.get('path')?.value ?? it) : undefined;
        const version = it.kind === 'map' ? scalarText(it.entries.get('key')?.value ?? it) : undefined;
        if (!file || !version)
          return r.error(it.line, `volume \`${name}\`: each item needs \`key\` and \`path\``);
        lines.push(`${mountPath.replace(/\/+$/, '')}/${file}=${secretName}:${version}`);
      }
    });
    if (lines.length > 0) this.addSecrets(lines, entry.line, path);
  }

  private probe(entry: YamlEntry, path: string): Probe | undefined {
    const r = this.r;
    const node = r.map(entry.value, path);
    if (!node) return undefined;
    const probe: Probe = {};
    const int = (e: YamlEntry, p: string) => {
      const v = r.scalar(e, p);
      if (v === undefined || !/^[0-9]+$/.test(v))
        return void r.error(e.line, `\`${p}\` must be a whole number`);
      return Number(v);
    };
    const numberField = (key: string) => (e: YamlEntry, p: string) => {
      const n = int(e, p);
      if (n !== undefined) probe[key] = n;
    };
    const check = (kind: 'httpGet' | 'tcpSocket' | 'grpc', fields: string[]) => (e: YamlEntry, p: string) => {
      const m = r.map(e.value, p);
      if (!m) return;
      const out: Record<string, unknown> = {};
      const handlers: Record<string, (x: YamlEntry, xp: string) => void> = {};
      for (const f of fields)
        handlers[f] = (x, xp) => {
          if (f === 'port') out.port = int(x, xp);
          else if (f === 'httpHeaders') out.httpHeaders = this.headers(x, xp);
          else out[f] = r.scalar(x, xp);
        };
      r.keys(m, p, handlers, `a Cloud Run ${kind} probe`);
      probe[kind] = out;
    };
    r.keys(
      node,
      path,
      {
        initialDelaySeconds: numberField('initialDelaySeconds'),
        timeoutSeconds: numberField('timeoutSeconds'),
        periodSeconds: numberField('periodSeconds'),
        failureThreshold: numberField('failureThreshold'),
        httpGet: check('httpGet', ['path', 'port', 'httpHeaders']),
        tcpSocket: check('tcpSocket', ['port']),
        grpc: check('grpc', ['port', 'service']),
      },
      'a Cloud Run probe (`exec` and `successThreshold` are not supported)',
    );
    return probe;
  }

  private headers(entry: YamlEntry, path: string): Array<{ name: string; value: string }> {
    const r = this.r;
    if (entry.value.kind !== 'seq') return (r.error(entry.line, `\`${path}\` must be a list`), []);
    return entry.value.items.map((item) => ({
      name: item.kind === 'map' ? (scalarText(item.entries.get('name')?.value ?? item) ?? '') : '',
      value: item.kind === 'map' ? (scalarText(item.entries.get('value')?.value ?? item) ?? '') : '',
    }));
  }
}
