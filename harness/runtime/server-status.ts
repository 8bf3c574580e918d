import { request } from 'undici';
import { keycloakDispatcher, trustCertificateAuthority } from '../tls/trust.js';
import type { ServerRecord } from './types.js';

/** Whether a recorded server answers: health UP where there is a management interface, else the master realm. */
export async function serverAnswers(record: ServerRecord): Promise<boolean> {
  const url = record.managementUrl ? `${record.managementUrl}/health/ready` : `${record.url}/realms/master`;
  try {
    trustCertificateAuthority(record.caFile);
    const response = await request(url, { dispatcher: keycloakDispatcher(), headersTimeout: 5_000, bodyTimeout: 5_000 });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}
