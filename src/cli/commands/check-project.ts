import { checkWithSource } from '../../check-with-source.js';
import type { PageFetch, ProbeOptions } from '../../evidence/probe/probe.js';
import { readPythonProject } from '../../python/read-project.js';
import type { PythonProject } from '../../python/types.js';
import type { CheckReport } from '../../report/check-json.js';
import { CliError, EXIT } from '../errors.js';

/** `check --project DIR [--offline]`: reads the backend, then checks with the source joined in. */
export async function checkProject(
  page: PageFetch,
  probeOptions: ProbeOptions,
  projectDir: string,
  offline: boolean,
): Promise<CheckReport> {
  let project: PythonProject;
  try {
    project = await readPythonProject(projectDir);
  } catch (error) {
    throw new CliError(`--project: ${(error as Error).message}`);
  }
  try {
    return await checkWithSource(page, probeOptions, project, { offline });
  } catch (error) {
    const { name, message } = error as Error;
    if (name === 'NoAppToModel') throw new CliError(`--offline: ${message}`);
    if (name === 'UnpredictableAnswer') {
      throw new CliError(
        `--offline: ${message}; run check against the live server instead`,
        EXIT.unreachable,
      );
    }
    throw error;
  }
}
