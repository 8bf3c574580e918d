import { ensureLocalTls } from '../../tls/local-ca.js';
import type { CliOutput } from '../output.js';

/** Prints the path of kcbox's local CA certificate, made (with the server certificate) if needed. */
export async function ca(output: CliOutput): Promise<number> {
  output.out((await ensureLocalTls()).caFile);
  return 0;
}
