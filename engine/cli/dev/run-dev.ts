/**
 * The body of `cloudfn dev`: start an engine in this process, deploy the project, then
 * watch, redeploy and stream until SIGINT/SIGTERM, which stop the engine cleanly.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { resolveConfig } from '../../config.ts';
import { startEngine } from '../../main.ts';
import { AdminClient } from '../admin-client.ts';
import type { Cli } from '../context.ts';
import { CliError, usageError } from '../errors.ts';
import { paint } from '../format/colour.ts';
import { loadProject, requireProjectRoot } from '../project/load.ts';
import { deployProject } from '../project/deploy-project.ts';
import { DEV_DIR, findDevEngine, removeDevFile, writeDevFile } from './dev-file.ts';
import { streamJobs } from './job-stream.ts';
import { serialRunner, watchProject } from './watch.ts';

export async function runDev(
  cli: Cli,
  options: { port: string; host: string; temp: boolean },
): Promise<void> {
  const { io } = cli;
  const root = requireProjectRoot(cli.cwd);
  const running = findDevEngine(root);
  if (running) {
    // A second dev would take over .cloudfn/dev.json and deploy the same project twice.
    throw usageError(
      `cloudfn dev already runs for ${root}: ${running.url} (pid ${running.pid}).`,
      'Use that one (commands in the project find it), or stop it (Ctrl-C) first.',
      'E_CLI_DEV_RUNNING',
    );
  }
  const dataDir = options.temp
    ? fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-dev-'))
    : path.join(root, DEV_DIR, 'data');
  const config = resolveConfig(cli.env, {
    port: options.port,
    host: options.host,
    dataDir,
    logLevel: 'warn',
  });
  // The engine's own log: warnings and errors only, to stderr, beside the runs on stdout.
  const engine = await startEngine(config, {
    log: pino({ level: 'warn' }, pino.destination(2)),
  });
  // Before anything is printed: whoever waits for a line may signal at once.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  writeDevFile(root, { url: engine.url, adminToken: engine.adminToken, pid: process.pid });
  io.out(
    `cloudfn dev: engine at ${engine.url} (state in ${options.temp ? `${dataDir}, removed on exit` : path.relative(cli.cwd, dataDir) || dataDir})`,
  );
  io.out(
    `Commands in ${root} use it (.cloudfn/dev.json); elsewhere: CLOUDFN_URL=${engine.url} CLOUDFN_ADMIN_TOKEN=${engine.adminToken}`,
  );

  const client = new AdminClient({
    url: engine.url,
    token: engine.adminToken,
    tokenSource: 'cloudfn dev',
  });
  let functionNames: string[] = [];
  const deploy = serialRunner(async () => {
    try {
      const project = loadProject(root, cli.env);
      functionNames = project.functions.map((f) => f.name);
      await deployProject(client, root, { env: cli.env, io });
    } catch (err) {
      // A save with a syntax error is part of the loop: say why, keep watching.
      const e = err as { code?: string; message?: string; stack?: string };
      io.err(`${paint('error', 'red', io.colour)} ${e.code ?? 'E_INTERNAL'}: ${e.message}`);
      if (err instanceof CliError) {
        if (err.detail) io.err(err.detail);
        if (err.hint) io.err(`hint: ${err.hint}`);
      } else if (e.stack) io.err(e.stack);
      io.out('Deploy failed: fix it and save again.');
    }
  });
  deploy.request();
  await deploy.idle();
  const stream = streamJobs(client, () => functionNames, io);
  const unwatch = watchProject(root, (files) => {
    io.out(`Changed: ${files.join(', ')}: redeploying`);
    deploy.request();
  });
  io.out(`Watching ${root} for changes; Ctrl-C to stop.`);

  await stopped;
  unwatch();
  stream.stop();
  await deploy.idle();
  removeDevFile(root);
  await engine.close();
  if (options.temp) fs.rmSync(dataDir, { recursive: true, force: true });
  io.err('cloudfn dev: stopped.');
}
