import { resolveConfig, type ConfigInput } from '../config.ts';
import { startEngine } from '../main.ts';

/** `cloudfn serve`: runs the engine until SIGTERM/SIGINT, then shuts down cleanly (exit 0). */
export async function serve(flags: ConfigInput): Promise<void> {
  const config = resolveConfig(process.env, flags);
  const engine = await startEngine(config);
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
    { url: engine.url, dataDir: config.dataDir },
    `cloudfn listening on ${engine.url}`,
  );
  if (engine.adminTokenGenerated) {
    // Printed once, on the start that generated it; it stays in the data dir.
    process.stdout.write(
      `\nAdmin token (kept in ${config.dataDir}/admin-token): ${engine.adminToken}\n\n`,
    );
  }
}
