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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Calls `stop` once the process that started this one is gone. A launcher such as npx (npm
 * exec, through a shell) does not always pass its SIGTERM on: without this the server kept
 * listening after `kill <npx pid>`. An orphan is re-parented (its ppid changes).
 */
export function whenParentExits(stop: () => void, everyMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent || !isAlive(parent)) {
      clearInterval(timer);
      stop();
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
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
        let stopping = false;
        const stop = () => {
          if (stopping) return;
          stopping = true;
          void bridge.close().then(resolveStop);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        process.once('SIGHUP', stop);
        // once the launcher is gone its pipes may be too: a failed write must not crash the shutdown
        for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
        whenParentExits(() => {
          process.stderr.write(
            'confidant: the program that started `confidant serve` has ended; stopping.\n',
          );
          stop();
        });
      });
    });
}
