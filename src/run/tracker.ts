// The release's event log: the orchestrator emits an event once its fact has landed; the tracker keeps
// the runner-state record and the report in step with the folds of the events (core/release-events.ts).
// Nothing else writes the record: a write that carries it on the service takes `annotationAfter(pending)`.
import { foldRecord, foldReport, recordAfter, reportChange, type ReleaseEvent } from '../core/release-events';
import { encodeRecord, RECORD_ANNOTATION } from '../core/release-record';
import type { CloudRunService } from '../core/cloud-run-types';
import type { ReleasePorts } from '../ports';

export interface Tracker {
  readonly events: readonly ReleaseEvent[];
  /** Appends an event that has happened; saves the record when it changed and publishes the report's change. */
  emit(event: ReleaseEvent): Promise<void>;
  /** The record annotation a write carries: the record as it reads once `pending` has landed. */
  annotationAfter(pending: ReleaseEvent): Record<string, string>;
  /** True when `service` carries the record of `pending`: the write that carried it landed. */
  carries(service: Pick<CloudRunService, 'annotations'>, pending: ReleaseEvent): boolean;
}

/** A tracker that saves the record through `saveRecord` and publishes through `report`. */
export function createTracker({ saveRecord, report }: Pick<ReleasePorts, 'saveRecord' | 'report'>): Tracker {
  const events: ReleaseEvent[] = [];
  let saved: string | undefined;
  return {
    events,
    async emit(event) {
      const before = foldReport(events);
      events.push(event);
      const record = foldRecord(events);
      const text = record && encodeRecord(record);
      if (record && text !== saved) {
        saved = text;
        saveRecord(record);
      }
      const patch = reportChange(before, foldReport(events));
      if (report && Object.keys(patch).length > 0) await report(patch);
    },
    annotationAfter(pending): Record<string, string> {
      const record = recordAfter(events, pending);
      return record ? { [RECORD_ANNOTATION]: encodeRecord(record) } : {};
    },
    carries(service, pending) {
      const wanted = this.annotationAfter(pending);
      return Object.entries(wanted).every(([key, value]) => service.annotations?.[key] === value);
    },
  };
}
