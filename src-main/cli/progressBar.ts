/**
 * A one-line progress bar on stderr for long jobs (training, audits, the demo). On a
 * terminal it redraws in place at most 10 times a second; elsewhere (CI logs, pipes) it
 * prints a plain line every `everyPercent` percent, so logs stay readable.
 */
export interface ProgressBarOptions {
  readonly stream?: NodeJS.WriteStream;
  readonly width?: number;
  readonly everyPercent?: number;
}

export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private lastDraw = 0;
  private lastPercent = -1;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly options: ProgressBarOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
  }

  update(done: number, total: number, detail = ''): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const percent = Math.floor(fraction * 100);
    if (this.tty) {
      const now = performance.now();
      if (now - this.lastDraw < 100 && done < total) return;
      this.lastDraw = now;
      const width = this.options.width ?? 24;
      const filled = Math.round(fraction * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      this.stream.write(
        `\r\x1b[2K${this.label} ${bar} ${String(percent).padStart(3)}% ${done}/${total} ${detail}`,
      );
      this.drawn = true;
    } else {
      const every = this.options.everyPercent ?? 10;
      if (percent === this.lastPercent || (percent % every !== 0 && done < total)) return;
      this.lastPercent = percent;
      this.stream.write(`${this.label} ${String(percent).padStart(3)}% ${done}/${total} ${detail}\n`);
    }
  }

  /** Ends the bar's line so the next output starts on a fresh one. */
  done(): void {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
