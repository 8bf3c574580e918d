import cliProgress from 'cli-progress';
import pc from 'picocolors';
import type { ProgressListener, StartProgress } from '../runtime/progress.js';

/**
 * Shows start progress on a terminal (a bar for download and unpack, a line per phase) and stays
 * silent when stderr is not a terminal, so CI logs and --json output stay clean.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): { listener: ProgressListener; done: () => void } {
  if (!stream.isTTY) return { listener: () => {}, done: () => {} };
  let bar: cliProgress.SingleBar | undefined;
  let barPhase: string | undefined;
  const finishBar = () => {
    bar?.stop();
    bar = undefined;
    barPhase = undefined;
  };
  const startBar = (phase: string, total: number, unit: string) => {
    finishBar();
    barPhase = phase;
    bar = new cliProgress.SingleBar(
      { stream, format: `${pc.dim(phase.padEnd(9))} {bar} {percentage}% {value}/{total} ${unit}`, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
  };
  const listener = (event: StartProgress) => {
    switch (event.phase) {
      case 'download':
        if (event.totalBytes) {
          const total = Math.round(event.totalBytes / 1048576);
          if (barPhase !== 'download') startBar('download', total, 'MiB');
          bar?.update(Math.round(event.receivedBytes / 1048576));
        } else if (event.receivedBytes === 0) {
          finishBar();
          stream.write(`${pc.dim('download')}  ${event.source}\n`);
        }
        return;
      case 'unpack':
        if (barPhase !== 'unpack') startBar('unpack', event.totalEntries, 'files');
        bar?.update(event.doneEntries);
        return;
      case 'build':
      case 'start':
        finishBar();
        stream.write(`${pc.dim(event.phase.padEnd(9))} ${event.message}\n`);
        return;
    }
  };
  return { listener, done: finishBar };
}
