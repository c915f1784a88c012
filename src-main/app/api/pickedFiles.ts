/**
 * Which local files the API may read by path (issue #19): the UI and the web bridge used to
 * read any path they were sent. Accepted: a file the user picked in a native dialog (the
 * Electron door registers it with allowPickedFile), and the engine's own report exports under
 * <data>/reports. Everything else must be uploaded (the browser's file picker), so a page or
 * a caller with the bridge token cannot make Confidant read an arbitrary file.
 */
import { realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { ConfidantError } from '../../shared/confidantError.js';

const picked = new Set<string>();

function real(path: string): string {
  try {
    return realpathSync(resolve(path));
  } catch {
    return resolve(path);
  }
}

/** Records a file the user chose in a native open dialog. */
export function allowPickedFile(path: string): void {
  picked.add(real(path));
}

/** The path, resolved, when the API may read it; otherwise a ConfidantError saying what to do. */
export function requireReadablePath(path: string, dataDirectory: string): string {
  const file = real(path);
  const reports = real(join(dataDirectory, 'reports'));
  if (picked.has(file) || file.startsWith(reports + sep)) return file;
  throw new ConfidantError('api.path-not-picked', 'Confidant reads only files you choose.', {
    where: { file: path },
    hint: 'Choose the file with the file picker (it is uploaded to Confidant) instead of typing its path.',
  });
}
