/** Where the bundled demo model lives, from the built CLI (out/main) or from the sources. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfidantError } from '../../shared/confidantError.js';

export const BUNDLED_MODEL_NAME = 'confidant-demo-gpt2';

export function bundledModelDir(): string {
  const candidates = [
    resolve(import.meta.dirname, '../../resources/models', BUNDLED_MODEL_NAME), // out/main/cli.js
    resolve(import.meta.dirname, '../../../resources/models', BUNDLED_MODEL_NAME), // src-main/cli/demo
  ];
  const found = candidates.find((dir) => existsSync(resolve(dir, 'config.json')));
  if (!found) {
    throw new ConfidantError('model.bundled-missing', 'The bundled demo model is missing.', {
      where: { file: candidates[1] },
      hint: 'Reinstall Confidant, or check out resources/models from the repository.',
    });
  }
  return found;
}
