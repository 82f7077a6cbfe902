// The main step of a multi-region release (`regions`/`waves`), once its inputs are valid: the real ports of
// each region, src/multi-region.ts's runRegions, and the report: one sticky comment and one job summary for
// the whole release (wave 1's details and a regions × steps table), and one GitHub deployment per region.
// Each region's record goes to its own runner state, with the list of regions, so the post step can restore
// every touched region when the job is cancelled mid-wave (src/post.ts). Returns the failure text for
// main.ts, which fails the step.
import { actionsLog, regionLog } from './adapters/log';
import { setOutput } from './adapters/runner-commands';
import { writeOutputs } from './outputs';
import type { DeployConfig, RunContext } from './core/config';
import type { GoogleCloud } from './adapters/google-cloud';
import { VERDICT_PHASE } from './core/release-events';
import { combinedPhase, regionRow, sharedDetails } from './core/region-rows';
import { createReporter } from './report-channels';
import { releasePorts } from './release-step';
import { combinedReportConfig, regionConfig, regionReportConfig } from './core/regions';

/** Runs the multi-region release for valid inputs; resolves with the failure text (undefined when it succeeded). */
export async function multiRegionStep(
  config: Readonly<DeployConfig>,
  context: RunContext,
  connecting: Promise<GoogleCloud>,
): Promise<string | undefined> {
  const regions = (config.waves ?? [[config.region]]).flatMap((list, w) =>
    list.map((region) => ({ region, wave: w + 1, config: regionConfig(config, region, w + 1) })),
  );
  const state = await import('./adapters/release-state');
  let failure: string | undefined;
  let combined: import('./reporter').Reporter | undefined;
  let regional: Array<import('./reporter').Reporter> = [];
  let started = false;
  // First, so a post step after any stop knows the release was multi-region (and its report too).
  state.saveRegions({ regions: regions.map((r) => r.region), ended: false });
  try {
    // The comment and the summary for the whole release; each region's deployment from its own report.
    combined = await createReporter(combinedReportConfig(config), context);
    regional = await Promise.all(
      regions.map((r) =>
        createReporter(regionReportConfig(config, r.region, r.wave), context, undefined, {
          persistAs: state.regionReportState(r.region),
        }),
      ),
    );
    const rows = () => regions.map((r, i) => regionRow(r.region, r.wave, regional[i].current()));
    const publish = () =>
      combined!.update({
        ...sharedDetails(regional[0].current()),
        regions: rows(),
        phase: combinedPhase(rows()),
      });
    const { runRegions } = await import('./multi-region');
    const connected = await connecting;
    started = true;
    try {
      const log = actionsLog();
      const ports = await Promise.all(
        regions.map((r, i) =>
          releasePorts(r.config, connected, regionLog(log, r.region), {
            saveRecord: (record) => state.saveRegionRecord(r.region, record),
            report: async (patch) => {
              await regional[i].update(patch);
              await publish();
            },
          }),
        ),
      );
      const outcome = await runRegions(
        config,
        context,
        (region) => ports[regions.findIndex((r) => r.region === region)],
      );
      const ended =
        outcome.verdict === 'promoted' || outcome.verdict === 'canary' || outcome.verdict === 'candidate';
      state.saveRegions({ regions: regions.map((r) => r.region), ended });
      await combined.update({
        ...sharedDetails(regional[0].current()),
        regions: rows(),
        phase: VERDICT_PHASE[outcome.verdict],
        ...(outcome.failure !== undefined && { failure: outcome.failure }),
      });
      const first = outcome.regions[0].outcome;
      writeOutputs(setOutput, {
        url: first.url,
        tagUrl: first.tagUrl,
        revision: first.revision,
        previousRevision: first.revision === undefined ? undefined : (first.previousRevision ?? ''),
        traffic: first.traffic && JSON.stringify(first.traffic),
        smokeResult: first.smoke ? JSON.stringify(first.smoke) : undefined,
        verdict: outcome.verdict,
        regions: JSON.stringify(
          outcome.regions.map(({ region, wave, outcome: o }) => ({
            region,
            wave,
            verdict: o.verdict,
            url: o.url ?? null,
            tag_url: o.tagUrl ?? null,
            revision: o.revision ?? null,
            traffic: o.traffic ?? null,
          })),
        ),
      });
      failure = outcome.failure;
    } finally {
      await connected.cloudRun.close();
    }
  } catch (error) {
    // Sign-in failed, or a defect: runRegions ends every known failure with an outcome.
    failure = error instanceof Error ? error.message : String(error);
    writeOutputs(setOutput, { verdict: 'failed' });
    await combined?.update({ phase: 'failed', failure, ...(!started && { changedNothing: true }) });
  }
  await Promise.all([combined?.flush(), ...regional.map((r) => r.flush())]);
  return failure;
}
