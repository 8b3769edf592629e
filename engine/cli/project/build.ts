/**
 * Builds every function of a project as `deploy` would upload it, with the sha256 values
 * that mean "already deployed" for the plan, and prints each one's size report.
 */
import { createHash } from 'node:crypto';
import { bundleFunction } from '../../../runtime/index.ts';
import { prepareUpload, sizeReport } from '../bundle.ts';
import type { Io } from '../io.ts';
import type { Project } from './load.ts';
import type { BuiltFunction } from './plan.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function buildProject(project: Project, io: Io): Promise<Map<string, BuiltFunction>> {
  const built = new Map<string, BuiltFunction>();
  for (const f of project.functions) {
    const upload = await prepareUpload(f.path, f.name);
    // The engine bundles what it receives; the same bundler here gives the sha256 it will keep.
    const engineBundle = await bundleFunction({ source: upload.code, filename: upload.filename });
    built.set(f.name, {
      name: f.name,
      code: upload.code,
      filename: upload.filename,
      sha256s: [engineBundle.sha256, sha256(upload.code)],
    });
    for (const line of sizeReport(upload)) io.err(line);
  }
  return built;
}
