import { resolveConfig, type ConfigInput } from '../config.ts';
import { startEngine, type Engine } from '../main.ts';
import { CliError, EXIT } from './errors.ts';
import { engineLogger } from './engine-logger.ts';

/** `cloudfn serve`: runs the engine until SIGTERM/SIGINT, then shuts down cleanly (exit 0). */
export async function serve(flags: ConfigInput): Promise<void> {
  const config = resolveConfig(process.env, flags);
  let engine: Engine;
  try {
    engine = await startEngine(config, {
      log: engineLogger({
        level: config.logLevel,
        terminal: process.stdout.isTTY === true,
        colour: process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb',
      }),
    });
  } catch (err) {
    throw listenError(err, config.host, config.port) ?? err;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    engine.log.info({ signal }, 'shutting down: finishing work in flight');
    engine.close().then(
      () => process.exit(0),
      (err: unknown) => {
        engine.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // Before anything is printed: whoever waits for the start line may signal at once.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  engine.log.info(
    { url: engine.url, dataDir: config.dataDir, durability: config.durability },
    `cloudfn listening on ${engine.url}`,
  );
  if (engine.adminTokenGenerated) {
    // Printed once, on the start that generated it; it stays in the data dir.
    process.stdout.write(
      `\nAdmin token (kept in ${config.dataDir}/admin-token): ${engine.adminToken}\n\n`,
    );
  }
}

/** A port that cannot be had, as a CLI error with what to do (exit 1), or undefined. */
function listenError(err: unknown, host: string, port: number): CliError | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new CliError('E_CLI_PORT_IN_USE', `Port ${port} on ${host} is already in use.`, {
      exitCode: EXIT.refused,
      hint: `Another process (perhaps another cloudfn serve) listens there. Pick another port: cloudfn serve --port ${port + 1}, or PORT=${port + 1}.`,
    });
  if (code === 'EACCES')
    return new CliError(
      'E_CLI_PORT_IN_USE',
      `Port ${port} on ${host} may not be used by this user.`,
      {
        exitCode: EXIT.refused,
        hint: 'Ports below 1024 need privileges: pick another with --port or PORT (e.g. 3000).',
      },
    );
  return undefined;
}
