// The DESIGN.md boundary rules are lint errors, not hopes: lint synthetic files placed in
// each folder and check that the forbidden imports fail and the allowed ones pass.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2)
    .map((m) => m.message);
}

describe('lint boundary rules', () => {
  it.each(['engine', 'model', 'dp', 'accountants', 'store', 'audit', 'federation', 'shared'])(
    'fails an electron import in src-main/%s',
    async (folder) => {
      const errors = await restrictedImportErrors(
        "import { app } from 'electron';\nexport const x = app;\n",
        `src-main/${folder}/fixture.ts`,
      );
      expect(errors.join('\n')).toMatch(/must not import Electron|Electron/);
    },
  );

  it('allows electron in src-main/app', async () => {
    const errors = await restrictedImportErrors(
      "import { app } from 'electron';\nexport const x = app;\n",
      'src-main/app/fixture.ts',
    );
    expect(errors).toEqual([]);
  });

  it.each([
    "import { readFileSync } from 'node:fs';",
    "import path from 'path';",
    "import cp from 'child_process';",
  ])('fails a Node import in the renderer: %s', async (line) => {
    const errors = await restrictedImportErrors(
      `${line}\nexport const x = 1;\n`,
      'src-renderer/src/fixture.ts',
    );
    expect(errors.join('\n')).toMatch(/never imports Node modules/);
  });

  it('fails a renderer import of engine code, allows src-main/shared', async () => {
    const bad = await restrictedImportErrors(
      "import { probeBackends } from '../../src-main/engine/backendProbe';\nexport const x = probeBackends;\n",
      'src-renderer/src/fixture.ts',
    );
    expect(bad.join('\n')).toMatch(/only src-main\/shared/);
    const good = await restrictedImportErrors(
      "import { API_CALLS } from '../../src-main/shared/api';\nexport const x = API_CALLS;\n",
      'src-renderer/src/fixture.ts',
    );
    expect(good).toEqual([]);
  });

  it.each(['accountants', 'audit/metrics'])('keeps src-main/%s free of tfjs and I/O', async (folder) => {
    const errors = await restrictedImportErrors(
      "import * as tf from '@tensorflow/tfjs';\nimport { readFileSync } from 'node:fs';\nexport const x = [tf, readFileSync];\n",
      `src-main/${folder}/fixture.ts`,
    );
    expect(errors).toHaveLength(2);
  });
});
