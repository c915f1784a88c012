/**
 * `confidant doctor [--json]`: what this machine can do. Node version, every tensor
 * backend (available or why not, with a matmul GFLOP/s figure), the backend Confidant
 * would use, SQLCipher, the Electron binary, and the data directory.
 */
import type { Command } from 'commander';
import { BACKEND_ORDER, type BackendName } from '../../engine/backendNames.js';
import type { SqlcipherStatus } from '../../store/sqlcipherProbe.js';
import { resolveDataDirectory, type DataDirectory } from '../../store/dataDirectory.js';
import { electronBinaryStatus, type ElectronBinaryStatus } from '../electronBinary.js';

export interface DoctorReport {
  node: { version: string; supported: boolean; required: string };
  platform: { os: string; arch: string; cpus: number };
  backends: Array<{
    name: BackendName;
    available: boolean;
    matmulGflops: number | null;
    detail: string;
    /** What training on this backend runs: the fused WebGPU executor or the tfjs path, and why. */
    trainingExecutor: { executor: 'fused' | 'tfjs'; reason: string };
    /** Whether the automatic choice may pick it (false for a software GPU adapter). */
    automatic?: boolean;
  }>;
  selectedBackend: BackendName;
  sqlcipher: SqlcipherStatus;
  electron: ElectronBinaryStatus;
  dataDirectory: DataDirectory;
}

const REQUIRED_NODE = '20.19.0';

export async function runDoctor(options: { store?: string; benchmark?: boolean }): Promise<DoctorReport> {
  // Loaded here, not at the top: tfjs and the native modules take a second to load, and
  // every other command would pay for it.
  const [
    tf,
    { probeBackends, preferredBackend },
    { measureMatmulGflops },
    { probeSqlcipher },
    { fusedExecutorSupport },
  ] = await Promise.all([
    import('@tensorflow/tfjs'),
    import('../../engine/backendProbe.js'),
    import('../../engine/matmulBenchmark.js'),
    import('../../store/sqlcipherProbe.js'),
    import('../../engine/webgpu/executorSupport.js'),
  ]);
  const statuses = await probeBackends();
  const backends: DoctorReport['backends'] = [];
  for (const status of statuses) {
    let matmulGflops: number | null = null;
    if (status.available && options.benchmark !== false && (await tf.setBackend(status.name))) {
      matmulGflops = round((await measureMatmulGflops(256)).gflops, 2);
    }
    // GPT-2 and Llama-family models without LoRA dropout (the bundled model, the defaults)
    const support = fusedExecutorSupport(status.name, { architecture: 'gpt2', loraDropout: 0 });
    backends.push({
      ...status,
      matmulGflops,
      trainingExecutor: {
        executor: support.fused ? 'fused' : 'tfjs',
        reason: support.fused
          ? `${support.reason} (the tfjs path instead for other architectures or LoRA dropout > 0)`
          : support.reason,
      },
    });
  }
  const { availableParallelism, platform, arch } = await import('node:os');
  return {
    node: {
      version: process.versions.node,
      supported: versionAtLeast(process.versions.node, REQUIRED_NODE),
      required: `>=${REQUIRED_NODE}`,
    },
    platform: { os: platform(), arch: arch(), cpus: availableParallelism() },
    backends,
    selectedBackend: preferredBackend(statuses),
    sqlcipher: probeSqlcipher(),
    electron: electronBinaryStatus(),
    dataDirectory: resolveDataDirectory(options.store),
  };
}

export function formatDoctor(report: DoctorReport): string {
  const mark = (ok: boolean) => (ok ? 'ok ' : '-- ');
  const lines = [
    `Node.js      ${mark(report.node.supported)}${report.node.version} (needs ${report.node.required})`,
    `Platform     ${report.platform.os} ${report.platform.arch}, ${report.platform.cpus} CPU(s)`,
    'Backends, in the order the automatic choice tries them (GPU, then CPU with BLAS, then WebAssembly, then',
    'plain JavaScript; the first one available is used, whatever the small matmul figure below says):',
    ...[...report.backends]
      .sort((a, b) => BACKEND_ORDER.indexOf(a.name) - BACKEND_ORDER.indexOf(b.name))
      .map(
        (b) =>
          `  ${mark(b.available)}${b.name.padEnd(11)}` +
          `${b.matmulGflops === null ? ''.padEnd(16) : `${b.matmulGflops.toFixed(1).padStart(7)} GFLOP/s  `}${b.detail}` +
          (b.name === report.selectedBackend ? '  <- automatic choice' : '') +
          (b.available && b.automatic === false ? '  (never chosen automatically: software adapter)' : '') +
          `\n${''.padEnd(16)}training: ${b.trainingExecutor.executor === 'fused' ? 'fused WebGPU executor' : 'tfjs path'} — ${b.trainingExecutor.reason}`,
      ),
    `  would use: ${report.selectedBackend} (${whyChosen(report)})`,
    '  The GFLOP/s figure is one 256×256 matmul; a training step is dominated by larger ones. Pick another',
    '  backend with --backend or in Settings if it is faster on this machine.',
    `SQLCipher    ${mark(report.sqlcipher.available)}${report.sqlcipher.detail}`,
    `Electron     ${mark(report.electron.installed)}${report.electron.version ?? ''} ${report.electron.detail}`,
    `Data folder  ${report.dataDirectory.path} (${report.dataDirectory.source})`,
  ];
  return lines.join('\n');
}

function whyChosen(report: DoctorReport): string {
  const before = BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(report.selectedBackend));
  const skipped = before.map((name) => {
    const b = report.backends.find((x) => x.name === name);
    return `${name} ${b?.available && b.automatic === false ? 'is a software adapter' : 'is not available'}`;
  });
  return skipped.length === 0 ? 'the first in the order' : `the first available: ${skipped.join(', ')}`;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check what this machine can run: backends, encryption, Electron, data folder')
    .option('--json', 'print the report as JSON')
    .option('--store <dir>', 'data directory to report (default: CONFIDANT_HOME or the platform folder)')
    .option('--no-benchmark', 'skip the matmul micro-benchmark')
    .action(async (opts: { json?: boolean; store?: string; benchmark: boolean }) => {
      const report = await runDoctor(opts);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctor(report)}\n`);
      if (!report.node.supported || !report.sqlcipher.available) process.exitCode = 1;
    });
}

function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
