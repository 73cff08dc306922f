/**
 * One line of progress on stderr: redrawn in place on a terminal, printed every few seconds otherwise
 * (CI logs, pipes), so stdout keeps only the command's result.
 */
export class ProgressLine {
  private lastDraw = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly render: () => string) {}

  update(): void {
    const now = Date.now();
    if (now - this.lastDraw < (this.tty ? 100 : 5000)) return;
    this.lastDraw = now;
    this.draw();
  }

  done(): void {
    this.draw();
    if (this.tty) process.stderr.write('\n');
  }

  private draw(): void {
    const text = this.render();
    if (this.tty) process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns ?? 120) - 1)}`);
    else process.stderr.write(`${text}\n`);
  }
}

/** A 24-character bar for a fraction from 0 to 1. */
export function bar(fraction: number): string {
  const width = 24;
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
