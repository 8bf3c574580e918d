import { request } from 'undici';
import type { ServerRecord } from './types.js';

/** Whether a recorded server answers: health UP where there is a management interface, else the master realm. */
export async function serverAnswers(record: ServerRecord): Promise<boolean> {
  const url = record.managementUrl ? `${record.managementUrl}/health/ready` : `${record.url}/realms/master`;
  try {
    const response = await request(url, { headersTimeout: 5_000, bodyTimeout: 5_000 });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}
