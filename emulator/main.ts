// `npm run emulator [-- --port N]`: the local Cloud Run in the foreground. Prints one JSON line with every
// endpoint, then runs until SIGINT/SIGTERM, when it stops every listener and revision process.
import { startEmulator } from './emulator';

function parseArgs(argv: string[]): { port: number; imagesPath?: string; secretsPath?: string } {
  const args = { port: 0 } as { port: number; imagesPath?: string; secretsPath?: string };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--port' && value !== undefined && /^\d+$/.test(value) && Number(value) <= 65535)
      args.port = Number(value);
    else if (flag === '--images' && value) args.imagesPath = value;
    else if (flag === '--secrets' && value) args.secretsPath = value;
    else {
      process.stderr.write(
        `emulator: unknown or incomplete option '${flag}'. Usage: npm run emulator -- [--port N (0 for any)] [--images FILE] [--secrets FILE]\n`,
      );
      process.exit(2);
    }
    i++;
  }
  return args;
}

async function main(): Promise<void> {
  const emulator = await startEmulator(parseArgs(process.argv.slice(2)));
  process.stdout.write(`${JSON.stringify(emulator.endpoints)}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`emulator: ${signal}, stopping every revision process\n`);
    void emulator.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: Error) => {
  process.stderr.write(`emulator: ${err.message}\n`);
  process.exit(1);
});
