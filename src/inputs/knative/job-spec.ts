// A Cloud Run Job file's spec (`apiVersion: run.googleapis.com/v1`, `kind: Job`; the v1 JobSpec, then its
// ExecutionTemplateSpec, ExecutionSpec, TaskTemplateSpec and TaskSpec), through the field tables of
// mapping.ts; the one container through container.ts. Reports through the translator (translate.ts). Pure.
import { type MapNode, readContainers, type Report } from './container';
import { EXECUTION_SPEC_FIELDS, JOB_SPEC_FIELDS, TASK_SPEC_FIELDS, type Target } from './mapping';
import type { YamlEntry } from './yaml-tree';

type Handlers = Record<string, (entry: YamlEntry, path: string) => void>;

/** Handlers for a field table's rows that are not walked: each value applied, or refused, at its line. */
export function fieldHandlers(
  r: Report,
  table: Readonly<Record<string, Target | { walk: string }>>,
): Handlers {
  const handlers: Handlers = {};
  for (const [key, target] of Object.entries(table)) {
    if ('walk' in target) continue;
    handlers[key] = (e, p) => {
      if ('refused' in target) return r.error(e.line, `\`${p}\` ${target.refused}`);
      const value = r.scalar(e, p);
      if (value !== undefined) r.apply(target, value, e.line, p);
    };
  }
  return handlers;
}

/** Reads a Job's `spec`: the execution template, its task template and the one container. */
export function readJobSpec(r: Report, entry: YamlEntry, path: string): void {
  const node = r.map(entry.value, path);
  if (!node) return;
  const handlers = fieldHandlers(r, JOB_SPEC_FIELDS);
  handlers.template = (e, p) => readExecutionTemplate(r, e, p);
  r.keys(node, path, handlers, "a Cloud Run job's spec");
}

function readExecutionTemplate(r: Report, entry: YamlEntry, path: string): void {
  const node = r.map(entry.value, path);
  if (!node) return;
  r.keys(
    node,
    path,
    {
      metadata: (e, p) => r.metadata(e, p, 'execution'),
      spec: (e, p) => readExecutionSpec(r, e, p),
    },
    "a job's execution template",
  );
}

function readExecutionSpec(r: Report, entry: YamlEntry, path: string): void {
  const node = r.map(entry.value, path);
  if (!node) return;
  const handlers = fieldHandlers(r, EXECUTION_SPEC_FIELDS);
  handlers.template = (e, p) => {
    const task = r.map(e.value, p);
    if (task) r.keys(task, p, { spec: (se, sp) => readTaskSpec(r, se, sp) }, "a job's task template");
  };
  r.keys(node, path, handlers, "a job's execution spec");
}

function readTaskSpec(r: Report, entry: YamlEntry, path: string): void {
  const node: MapNode | undefined = r.map(entry.value, path);
  if (!node) return;
  const volumes = node.entries.get('volumes');
  const handlers = fieldHandlers(r, TASK_SPEC_FIELDS);
  handlers.containers = (e, p) =>
    readContainers(r, e, p, { kind: 'job', volumes, volumesPath: `${path}.volumes` });
  handlers.volumes = () => {};
  r.keys(node, path, handlers, "a job's task spec");
}
