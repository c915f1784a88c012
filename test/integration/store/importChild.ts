// Child process for the kill-during-import test: imports a file and prints a line after each
// committed batch, so the parent knows when to SIGKILL it.
import { importDataset } from '../../../src-main/data/index';
import { Store } from '../../../src-main/store/index';

const [directory, file] = process.argv.slice(2) as [string, string];
const store = Store.open({
  directory,
  passphrase: 'kill test',
  create: true,
  kdfCost: { N: 2 ** 12, r: 8, p: 1 },
});
await importDataset(store, file, {
  project: 'crash',
  name: 'big',
  batchSize: 1_000,
  onBatch: ({ records }) => process.stdout.write(`batch ${records}\n`),
});
store.close();
process.stdout.write('done\n');
