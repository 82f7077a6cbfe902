// Child-process entry for one rung run: reads a CapacitySpec (JSON) from argv, measures, sends the
// CapacityRun back over the IPC channel and exits, so each rung's RSS and CPU are its own.
import { measureCapacity, type CapacitySpec } from './smoke-capacity';

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as CapacitySpec;
  const run = await measureCapacity(spec);
  await new Promise<void>((resolve, reject) =>
    process.send
      ? process.send(run, (error: Error | null) => (error ? reject(error) : resolve()))
      : resolve(),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `probe-process: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);
