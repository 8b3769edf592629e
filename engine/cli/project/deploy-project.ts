/**
 * `cloudfn deploy` without a path: load the project, build its functions, read the engine,
 * print the plan, and (unless a dry run) apply it. `cloudfn dev` runs the same on every save.
 */
import type { AdminClient } from '../admin-client.ts';
import type { Io } from '../io.ts';
import { applyPlan } from './apply.ts';
import { buildProject } from './build.ts';
import { loadProject } from './load.ts';
import { formatPlan, planProject, type Step } from './plan.ts';
import { readEngineState } from './state.ts';

export interface ProjectDeploy {
  steps: Step[];
  applied: number;
}

export async function deployProject(
  client: AdminClient,
  root: string,
  options: { env: NodeJS.ProcessEnv; io: Io; dryRun?: boolean },
): Promise<ProjectDeploy> {
  const { io } = options;
  const project = loadProject(root, options.env);
  const built = await buildProject(project, io);
  const state = await readEngineState(client, project);
  const steps = planProject(project, built, state);
  io.out(`Plan for ${client.connection.url} (${project.file}):`);
  for (const line of formatPlan(steps)) io.out(line);
  if (options.dryRun) {
    io.err('Dry run: nothing was changed.');
    return { steps, applied: 0 };
  }
  const applied = await applyPlan(client, steps, io);
  io.out(
    applied === 0
      ? 'Nothing to do: the engine is up to date.'
      : `Applied ${applied} change${applied === 1 ? '' : 's'}.`,
  );
  return { steps, applied };
}
