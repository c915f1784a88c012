// Issue #23, item 12: `confidant serve` stops when the program that started it ends, even when
// that program (npx, through a shell) does not pass its SIGTERM on: the server used to keep
// listening. A launcher that ignores the signal's fate of its child stands in for npx here.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const home = mkdtempSync(join(tmpdir(), 'confidant-serve-parent-'));
let serverPid = 0;

afterAll(() => {
  if (serverPid) {
    try {
      process.kill(serverPid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
  rmSync(home, { recursive: true, force: true });
});

const launcherSource = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['--import', 'tsx', ${JSON.stringify(resolve('src-main/cli/main.ts'))}, 'serve'], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
process.stdout.write('SERVER_PID=' + child.pid + '\\n');
process.on('SIGTERM', () => process.exit(0)); // like npx: ends without telling its child
setInterval(() => {}, 1000);
`;

function listening(url: string): Promise<boolean> {
  return fetch(url).then(
    () => true,
    () => false,
  );
}

describe('confidant serve under a launcher', () => {
  it('stops listening soon after its launcher is terminated', async () => {
    const launcher = spawn(process.execPath, ['-e', launcherSource], {
      env: { ...process.env, CONFIDANT_HOME: home },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const base = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      launcher.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        serverPid = Number(/SERVER_PID=(\d+)/.exec(out)?.[1] ?? 0);
        const match = /(http:\/\/127\.0\.0\.1:\d+)\/#token=/.exec(out);
        if (match) resolveUrl(match[1]!);
      });
      launcher.on('exit', (code) => reject(new Error(`launcher exited with ${code}`)));
    });
    expect(await listening(base)).toBe(true);
    launcher.kill('SIGTERM');
    let stillListening = true;
    for (let i = 0; i < 50 && stillListening; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      stillListening = await listening(base);
    }
    expect(stillListening).toBe(false);
  });
});
