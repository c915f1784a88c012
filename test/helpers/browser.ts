/**
 * Debian's Chromium driven by playwright-core (no browser download: the machine has no
 * internet). Flags from DESIGN.md: headless, no sandbox (root), and no background
 * networking, which the closed network would refuse anyway. playwright-core gives every
 * launch a fresh temporary profile.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CONFIDANT_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it with \`apt-get install chromium\` ` +
        '(.ci/run does) or set CONFIDANT_CHROMIUM to its path.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
