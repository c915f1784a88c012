/**
 * `confidant report ...`: the signed PDF audit report.
 *   report verify <file.pdf> [--json] [--trusted-key <fp>]... [--store <dir>]
 *                                        check the signature, the PDF and its report.json
 *   report render --input report.json --out report.pdf         render and sign a report model with the store's key
 *   report trust <fingerprint> [--label <text>]                 add a signer to the store's trust list
 * Exit status of verify: 0 intact and signed by a trusted key (the store's own key, a
 * --trusted-key, or a key in the store's trust list); 3 tampered, unsigned or signed by an
 * unknown key; 2 when the file cannot be read. A report rendered from a hand-supplied
 * report.json says so inside the signed content (the signature record and the PDF).
 * The group is returned so that `report --run <run>` can be attached to it. The report module
 * (pdfkit, vega) is loaded only when a subcommand runs, to keep the CLI quick to start.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ReportVerification } from '../../report/index.js';
import { ConfidantError } from '../../shared/confidantError.js';
import { readTrustedReportKeys, resolveDataDirectory, Store } from '../../store/index.js';
import { withStore, type StoreFlags } from './store.js';

const storeOption = [
  '--store <dir>',
  'store folder (default: CONFIDANT_HOME or the platform folder)',
] as const;

function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new ConfidantError('REPORT_FILE_UNREADABLE', `Cannot read the ${what}.`, {
      where: { file: path },
      hint: 'Check the path and that the file exists and is readable.',
      cause,
    });
  }
}

const grouped = (hex: string) => hex.replace(/(.{4})(?=.)/g, '$1 ');

/** The verification as text a non-specialist can act on. */
export function describeVerification(file: string, v: ReportVerification): string {
  const unsigned = v.problems.some((p) => p.code === 'not-signed');
  const onlyUnknownKey = v.problems.length > 0 && v.problems.every((p) => p.code === 'unknown-key');
  const lines = [
    v.valid
      ? `VALID: ${file} is intact and was signed by the key below.`
      : unsigned
        ? `NOT SIGNED: ${file} carries no Confidant signature, so nothing in it can be checked.`
        : onlyUnknownKey
          ? `UNKNOWN SIGNER: ${file} is intact but signed by an unknown key ${v.signer?.keyFingerprint ?? ''}.`
          : `TAMPERED: ${file} does not match its signature.`,
  ];
  if (!unsigned) for (const problem of v.problems) lines.push(`  - ${problem.message}`);
  if (v.signer) {
    lines.push(`  Signer key fingerprint (SHA-256): ${grouped(v.signer.keyFingerprint)}`);
    lines.push(`  Algorithm: ${v.signer.algorithm}; signed at ${v.signedAt ?? 'unknown'}`);
    lines.push(
      v.signer.trusted === null
        ? '  Key trust: not checked (pass --trusted-key <fingerprint> to require this signer).'
        : v.signer.trusted
          ? '  Key trust: the signer is one of the trusted keys.'
          : '  Key trust: the signer is NOT one of the trusted keys.',
    );
  }
  if (v.source === 'supplied-json') {
    lines.push(
      '  Report data: rendered from a hand-supplied report.json (`report render --input`), not from the signer’s own runs; its numbers may have been written by hand.',
    );
  }
  if (v.pdfSha256) {
    lines.push(
      `  PDF content: ${v.pdfSha256.signed === v.pdfSha256.actual ? 'unchanged' : 'CHANGED'} (SHA-256 ${v.pdfSha256.actual})`,
    );
  }
  if (v.reportJsonSha256) {
    const { signed, actual } = v.reportJsonSha256;
    lines.push(
      `  Embedded report.json: ${actual === null ? 'MISSING OR UNREADABLE' : actual === signed ? 'unchanged' : 'CHANGED'}`,
    );
  }
  if (v.valid && v.model)
    lines.push(`  Report: "${v.model.title}", ${v.model.runs.length} run(s), created ${v.model.createdAt}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The signers the store trusts: its own key and the keys added with `report trust`. Read
 * from the plaintext trust list, so verifying needs no passphrase; no store, no keys.
 */
function storeTrustList(flags: StoreFlags): string[] {
  const directory = resolveDataDirectory(flags.store).path;
  if (!Store.exists(directory)) return [];
  return readTrustedReportKeys(directory).map((k) => k.fingerprint);
}

export function registerReport(program: Command): Command {
  const report = program.command('report').description('signed PDF audit reports: render, verify');

  report
    .command('verify')
    .description('check a report PDF: its signature, every byte of the PDF and the embedded report.json')
    .argument('<file.pdf>', 'the report to check')
    .option('--json', 'print the result as JSON')
    .option(
      '--trusted-key <fingerprint>',
      'also accept this signer (SHA-256 key fingerprint; repeat for several)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(...storeOption)
    .action(async (file: string, opts: StoreFlags & { json?: boolean; trustedKey?: string[] }) => {
      const { verifyReport } = await import('../../report/index.js');
      const bytes = readInput(file, 'report PDF');
      const verification = verifyReport(bytes, {
        trustedKeyFingerprints: [...(opts.trustedKey ?? []), ...storeTrustList(opts)],
      });
      if (opts.json) {
        const { model, ...rest } = verification;
        process.stdout.write(
          `${JSON.stringify({ file, ...rest, report: model ? { title: model.title, createdAt: model.createdAt, runs: model.runs.length } : null })}\n`,
        );
      } else {
        process.stdout.write(describeVerification(file, verification));
      }
      if (!verification.valid) process.exitCode = 3;
    });

  report
    .command('render')
    .description('render a report model (JSON) to a PDF signed with this installation’s key')
    .requiredOption('--input <report.json>', 'the report model, as written by `report --json`')
    .requiredOption('--out <report.pdf>', 'where to write the signed PDF')
    .option(...storeOption)
    .action(async (opts: StoreFlags & { input: string; out: string }) => {
      const { ed25519Signer, validateReportModel, writeSignedReport } = await import('../../report/index.js');
      let json: unknown;
      try {
        json = JSON.parse(readInput(opts.input, 'report model').toString('utf8'));
      } catch (cause) {
        if (cause instanceof ConfidantError) throw cause;
        throw new ConfidantError('REPORT_MODEL_NOT_JSON', 'The report model file is not valid JSON.', {
          where: { file: opts.input },
          hint: 'Use the JSON written by `confidant report --run <run> --json report.json`.',
          cause,
        });
      }
      const model = validateReportModel(json, opts.input);
      await withStore(opts, async (store) => {
        const signer = ed25519Signer(store.signingKeyPair().privateKey);
        // The data was handed in (and may be hand-edited): the signed content says so.
        const signed = await writeSignedReport(model, signer, opts.out, undefined, {
          source: 'supplied-json',
        });
        store.auditLog.append('report', opts.out, {
          source: 'supplied-json',
          title: model.title,
          keyFingerprint: signed.keyFingerprint,
          pdfSha256: signed.pdfSha256,
          reportJsonSha256: signed.reportJsonSha256,
        });
        process.stdout.write(
          `Wrote ${opts.out} (${(signed.pdf.length / 1024).toFixed(0)} KiB), signed with key ${grouped(signed.keyFingerprint)}.\n` +
            'It is marked as rendered from a hand-supplied report.json.\n' +
            `Check it with: confidant report verify ${opts.out}\n`,
        );
      });
    });

  report
    .command('trust')
    .description(
      'trust reports signed by another installation’s key (check the fingerprint with its owner first)',
    )
    .argument('<fingerprint>', 'the signer key fingerprint that `report verify` printed (64 hex digits)')
    .option('--label <text>', 'who the key belongs to', 'trusted signer')
    .option(...storeOption)
    .action(async (fingerprint: string, opts: StoreFlags & { label: string }) => {
      const { addTrustedReportKey, normalizeFingerprint } = await import('../../store/index.js');
      // Unlocking proves the caller owns the store; the change is in its audit log.
      await withStore(opts, (store) => {
        const added = addTrustedReportKey(store.directory, fingerprint, opts.label);
        store.auditLog.append('report', 'trust', {
          trustedKey: normalizeFingerprint(fingerprint),
          label: opts.label,
        });
        process.stdout.write(
          `${added ? 'Trusted' : 'Already trusted'}: ${grouped(normalizeFingerprint(fingerprint) ?? '')} (${opts.label}).\n`,
        );
      });
    });

  report
    .option('--run <runs>', 'write the report of these finished runs (comma-separated, same dataset)')
    .option('--out <report.pdf>', 'with --run: where to write the signed PDF')
    .option('--json <report.json>', 'with --run: also write the report model as JSON')
    .option(...storeOption)
    .action(async (opts: StoreFlags & { run?: string; out?: string; json?: string }) => {
      if (opts.run === undefined) {
        report.help({ error: true });
        return;
      }
      const runIds = opts.run.split(',').map((r) => r.trim());
      if (runIds.some((r) => !/^\d+$/.test(r))) {
        throw new ConfidantError(
          'REPORT_BAD_RUN',
          `--run takes run numbers such as 3 or 3,4, not "${opts.run}".`,
          {
            where: { field: '--run' },
          },
        );
      }
      if (!opts.out) {
        throw new ConfidantError('REPORT_MISSING_OUT', '--out <report.pdf> is required with --run.', {
          where: { field: '--out' },
        });
      }
      const { ed25519Signer, writeSignedReport } = await import('../../report/index.js');
      const { reportModelFromStore } = await import('../../report/reportFromStore.js');
      await withStore(opts, async (store) => {
        const model = reportModelFromStore(store, runIds.map(Number));
        const signed = await writeSignedReport(
          model,
          ed25519Signer(store.signingKeyPair().privateKey),
          opts.out!,
          opts.json,
        );
        store.auditLog.append('report', opts.out!, {
          runs: opts.run!,
          keyFingerprint: signed.keyFingerprint,
          pdfSha256: signed.pdfSha256,
        });
        const missing = model.runs.filter((r) => r.audit === null).map((r) => r.training.runId);
        process.stdout.write(
          `Wrote ${opts.out} (${(signed.pdf.length / 1024).toFixed(0)} KiB)${opts.json ? ` and ${opts.json}` : ''}, signed with key ${grouped(signed.keyFingerprint)}.\n` +
            (missing.length > 0
              ? `Note: run(s) ${missing.join(', ')} were not audited; the report says so. Run \`confidant audit --run <run>\` first.\n`
              : '') +
            `Check it with: confidant report verify ${opts.out}\n`,
        );
      });
    });

  return report;
}
