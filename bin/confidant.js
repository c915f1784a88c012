#!/usr/bin/env node
// Launcher for the `confidant` command: runs the bundle built by `npm run build`
// (run automatically by `npm install` through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(
    'confidant: the CLI is not built yet (missing out/main/cli.js).\n' +
      'What to do: run `npm run build` in the Confidant folder (npm install does it too).\n',
  );
  process.exit(1);
}
await import(pathToFileURL(cli).href);
