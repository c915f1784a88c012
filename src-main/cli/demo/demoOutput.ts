/**
 * The demo's output folder. The demo recreates it on every run, so it only ever deletes a
 * folder that it made itself (marked by a file inside); any other existing folder is
 * refused rather than emptied: the demo must never delete a user's data.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfidantError } from '../../shared/confidantError.js';

const MARKER = '.confidant-demo';

export function prepareDemoFolder(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, MARKER))) {
      throw new ConfidantError(
        'demo.folder-in-use',
        `The folder ${dir} exists and was not made by the demo.`,
        {
          where: { file: dir },
          hint: 'Pass --out with a new or empty folder; the demo never deletes folders it did not create.',
        },
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'Made by `confidant demo`; deleted and rebuilt by the next demo run.\n');
}
