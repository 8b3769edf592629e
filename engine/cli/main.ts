import { parseArgs } from 'node:util';
import { serve } from './serve.ts';

const USAGE = `Usage: cloudfn <command> [options]

Commands:
  serve      Run the engine (--port, --host, --data-dir)

Run "cloudfn <command> --help" for a command's options.`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'serve') {
    const { values } = parseArgs({
      args: rest,
      options: { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' } },
    });
    await serve({ port: values.port, host: values.host, dataDir: values['data-dir'] });
    return;
  }
  process.stdout.write(`${USAGE}\n`);
  process.exitCode = command === undefined || command === '--help' ? 0 : 2;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`cloudfn: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
  process.exit(1);
});
