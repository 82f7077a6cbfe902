// Cloud Logging entries for Cloud Run job tasks: resource `cloud_run_job` (labels project_id, job_name,
// location) and entry labels `run.googleapis.com/execution_name`, `run.googleapis.com/task_index`,
// `run.googleapis.com/task_attempt` (googleapis/python-logging#867, #877 name them and where they come
// from). stdout is logName run.googleapis.com/stdout, stderr run.googleapis.com/stderr with severity ERROR,
// platform lines run.googleapis.com/varlog/system. JSON lines with `severity` are structured, as for services.
import { createHash } from 'node:crypto';
import { rfc3339 } from './gate';
import type { Entry } from './logging';
import type { TaskOutput } from './request-log';

type Json = Record<string, unknown>;

const SEVERITIES = [
  'DEFAULT',
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARNING',
  'ERROR',
  'CRITICAL',
  'ALERT',
  'EMERGENCY',
];

/** The LogEntry of one task output line, received at `received`. */
export function taskEntry(line: TaskOutput, project: string, received: number): Entry {
  const [, , , location = '', , jobId = ''] = line.job.split('/');
  let severity = line.stream === 'stderr' ? 'ERROR' : line.stream === 'system' ? 'WARNING' : 'DEFAULT';
  let payload: Json = { textPayload: line.text };
  if (line.stream !== 'system' && line.text.trim().startsWith('{')) {
    try {
      const parsed = JSON.parse(line.text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const { severity: given, ...rest } = parsed as Json;
        if (typeof given === 'string' && SEVERITIES.includes(given.toUpperCase()))
          severity = given.toUpperCase();
        payload = { jsonPayload: rest };
      }
    } catch {
      // Not JSON after all: a plain line.
    }
  }
  const logName = line.stream === 'system' ? 'varlog%2Fsystem' : line.stream;
  return {
    at: line.at,
    received,
    severity,
    json: {
      insertId: createHash('sha1')
        .update(`task:${line.seq ?? 0}`)
        .digest('hex')
        .slice(0, 16),
      ...payload,
      resource: { type: 'cloud_run_job', labels: { project_id: project, job_name: jobId, location } },
      timestamp: rfc3339(line.at),
      ...(severity === 'DEFAULT' ? {} : { severity }),
      labels: {
        'run.googleapis.com/execution_name': line.execution,
        'run.googleapis.com/task_index': String(line.taskIndex),
        'run.googleapis.com/task_attempt': String(line.attempt),
        instanceId: createHash('sha1')
          .update(`${line.execution}#${line.taskIndex}#${line.attempt}`)
          .digest('hex'),
      },
      logName: `projects/${project}/logs/run.googleapis.com%2F${logName}`,
      receiveTimestamp: rfc3339(received),
    },
  };
}
