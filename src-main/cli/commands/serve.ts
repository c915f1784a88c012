/**
 * `confidant serve [--port P]`: the app's UI and typed API for a browser on this machine
 * (a headless workstation, or the browser tests), through the loopback web bridge.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import pkg from '../../../package.json' with { type: 'json' };
import { createApiHandler } from '../../app/apiHandler.js';
import { startWebBridge } from '../../app/webBridge.js';
import { ConfidantError } from '../../shared/confidantError.js';

/** out/renderer, found from the bundle (out/main) or from the sources (src-main/cli/commands). */
function rendererDir(): string {
  const candidates = [
    resolve(import.meta.dirname, '../renderer'),
    resolve(import.meta.dirname, '../../../out/renderer'),
  ];
  const found = candidates.find((dir) => existsSync(resolve(dir, 'index.html')));
  if (!found) {
    throw new ConfidantError(
      'serve.not-built',
      'The user interface is not built (out/renderer is missing).',
      {
        hint: 'Run `npm run build` in the Confidant folder.',
      },
    );
  }
  return found;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the app to a browser on this machine (loopback only, per-session token)')
    .option('--port <port>', 'port on 127.0.0.1 (default: a free one)', (v) => {
      const port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new ConfidantError('serve.bad-port', `--port must be an integer from 0 to 65535, got "${v}".`);
      }
      return port;
    })
    .action(async (opts: { port?: number }) => {
      const bridge = await startWebBridge({
        rendererDir: rendererDir(),
        handler: createApiHandler({ version: pkg.version }),
        ...(opts.port === undefined ? {} : { port: opts.port }),
      });
      process.stdout.write(
        `Confidant is serving on this machine only. Open:\n  ${bridge.url}\n` +
          'The link carries a one-session token; anyone without it is refused. Press Ctrl+C to stop.\n',
      );
      await new Promise<void>((resolveStop) => {
        const stop = () => void bridge.close().then(resolveStop);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
