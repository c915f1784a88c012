/** Where the bundled demo model lives, from the built CLI (out/main) or from the sources. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfidantError } from '../shared/confidantError.js';

export const BUNDLED_MODEL_NAME = 'confidant-demo-gpt2';

export function bundledModelDir(): string {
  // out/main/cli.js and src-main/model/ are two levels below the repository root; code the
  // bundler moved into out/main/chunks/ is three
  const candidates = [
    resolve(import.meta.dirname, '../../resources/models', BUNDLED_MODEL_NAME),
    resolve(import.meta.dirname, '../../../resources/models', BUNDLED_MODEL_NAME),
  ];
  const found = candidates.find((dir) => existsSync(resolve(dir, 'config.json')));
  if (!found) {
    throw new ConfidantError('model.bundled-missing', 'The bundled demo model is missing.', {
      where: { file: candidates[0] },
      hint: 'Reinstall Confidant, or check out resources/models from the repository.',
    });
  }
  return found;
}
