/**
 * Child process of streamLoadRss.test.ts: streams a model folder's weights (argv[2]) in
 * the format argv[3], touches every value (a checksum), drops each tensor, and prints
 * {peakRssBytes, tensors, bytes, seconds} as JSON. Peak RSS is the process's own maxRSS.
 */
import { streamWeights } from '../../../src-main/model/weightStream.js';
import type { WeightFormat } from '../../../src-main/model/memoryPlan.js';

const [dir, format] = process.argv.slice(2) as [string, WeightFormat | 'stored'];
const start = performance.now();
let tensors = 0;
let bytes = 0;
let checksum = 0;
for await (const t of streamWeights(dir, { weights: format })) {
  tensors++;
  bytes += t.data.byteLength + ('scales' in t ? t.scales.byteLength : 0);
  const d = t.data;
  for (let i = 0; i < d.length; i += 4099) checksum = (checksum + d[i]!) % 1e9;
}
process.stdout.write(
  JSON.stringify({
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    tensors,
    bytes,
    checksum,
    seconds: (performance.now() - start) / 1000,
  }),
);
