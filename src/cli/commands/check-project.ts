import { checkWithSource } from '../../analysis/check-with-source.js';
import { BadInputError, NoAppToModelError, UnpredictableAnswerError } from '../../core/errors.js';
import type { PageFetch } from '../../core/page.js';
import type { CheckReport } from '../../core/report.js';
import type { ProbeOptions } from '../../evidence/probe/probe.js';
import { readProject } from '../../project/read-project.js';
import type { Project } from '../../project/types.js';

/** `check --project DIR [--offline]`: reads the backend, then checks with the source joined in. */
export async function checkProject(
  page: PageFetch,
  probeOptions: ProbeOptions,
  projectDir: string,
  offline: boolean,
): Promise<CheckReport> {
  let project: Project;
  try {
    project = await readProject(projectDir);
  } catch (error) {
    throw new BadInputError(`--project: ${(error as Error).message}`);
  }
  try {
    return await checkWithSource(page, probeOptions, project, { offline });
  } catch (error) {
    if (error instanceof NoAppToModelError) throw new BadInputError(`--offline: ${error.message}`);
    if (error instanceof UnpredictableAnswerError) {
      throw new BadInputError(
        `--offline: ${error.message}; run check against the live server instead`,
        error.exitStatus,
      );
    }
    throw error;
  }
}
