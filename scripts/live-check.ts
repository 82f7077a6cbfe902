// `npm run live-check -- --project P --region R [--image IMAGE] [--service-prefix X] [--out FILE]`:
// asks real Cloud Run the questions the emulator can only assume, and writes the evidence as Markdown
// (docs/live-check.md). The first SIGINT/SIGTERM stops the checks and deletes what the run created; a
// second one exits at once.
import { runCli } from './live-check/cli';

const controller = new AbortController();
let interrupts = 0;
const interrupt = (signal: string) => {
  interrupts += 1;
  if (interrupts === 1) {
    process.stderr.write(`live-check: ${signal}: stopping the checks and deleting what this run created\n`);
    controller.abort(new Error(`interrupted by ${signal}`));
  } else {
    process.stderr.write(
      `live-check: ${signal} again: exiting without finishing clean-up (see the names above)\n`,
    );
    process.exit(130);
  }
};
process.on('SIGINT', () => interrupt('SIGINT'));
process.on('SIGTERM', () => interrupt('SIGTERM'));

runCli(process.argv.slice(2), { log: (line) => process.stdout.write(`${line}\n`), signal: controller.signal })
  .then((code) => process.exit(code))
  .catch((err: Error) => {
    process.stderr.write(`live-check: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
