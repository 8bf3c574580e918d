/**
 * What a start is doing, for callers that show progress. The library never prints: the CLI turns
 * these into a progress bar on a terminal and into nothing elsewhere.
 */
export type StartProgress =
  | { readonly phase: 'download'; readonly source: string; readonly receivedBytes: number; readonly totalBytes?: number }
  | { readonly phase: 'unpack'; readonly doneEntries: number; readonly totalEntries: number }
  | { readonly phase: 'build'; readonly message: string }
  | { readonly phase: 'start'; readonly message: string };

export type ProgressListener = (event: StartProgress) => void;

export const ignoreProgress: ProgressListener = () => {};
