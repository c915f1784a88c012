/** Entry point of the `confidant` command (bundled to out/main/cli.js). */
import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2));
