/**
 * `scan` of a folder: read the project, apply every rule, attach patches, and (only when asked) write the
 * fixes one at a time, each on a fresh scan of the files as they are then.
 */
import { stat } from 'node:fs/promises';
import { BadInputError, ProjectUnreadableError } from '../core/errors.js';
import type { ScanReport } from '../core/report.js';
import { attachPatches, type WriteResult } from '../fix/patches.js';
import { readProject } from '../project/read-project.js';
import { type ScanOptions, scanProject } from './scan.js';

export interface ScanFolderOptions extends ScanOptions {
  /** Apply the findings' patches to the project's files. */
  write?: boolean;
  /** Called while files are read (`done` of `total` Python files). */
  onProgress?(done: number, total: number): void;
}

/** Throws ProjectUnreadableError unless `dir` is a folder that can be read. */
export async function assertFolder(dir: string): Promise<void> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(dir)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ProjectUnreadableError(
      code === 'ELOOP'
        ? `${dir}: a symlink loop`
        : code === 'EACCES' || code === 'EPERM'
          ? `${dir}: permission denied`
          : `${dir}: no such directory`,
    );
  }
  if (!isFolder)
    throw new ProjectUnreadableError(`${dir} is not a directory: give the backend project's folder`);
}

/** Scans the project in `dir`; with `write`, also writes the fixes and says what was written. */
export async function scanFolder(
  dir: string,
  options: ScanFolderOptions,
): Promise<{ report: ScanReport; written?: WriteResult }> {
  await assertFolder(dir);
  if (options.write && options.origins.length === 0) {
    throw new BadInputError(
      'scan --write writes only fixes proven for the frontend’s origins: give them with --origin ORIGIN (repeatable)',
    );
  }
  const scanOptions: ScanOptions = {
    origins: options.origins,
    ...(options.request && { request: options.request }),
  };
  const project = await readProject(dir, {
    ...(options.onProgress && { onProgress: options.onProgress }),
  });
  const report = scanProject(project, scanOptions);
  await attachPatches(project.root, report.findings);
  if (!options.write) return { report };
  // Only patches proven by the server and browser models for the frontend's origins are written.
  const { writeProvenFixes } = await import('./fix-project.js');
  return {
    report,
    written: await writeProvenFixes(project, {
      origins: options.origins,
      ...(options.request && { request: options.request }),
    }),
  };
}
