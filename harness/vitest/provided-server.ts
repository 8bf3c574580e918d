import { inject } from 'vitest';
import type { KcboxProvidedServer } from './provided.js';
import './provided.js';
import { trustCertificateAuthority } from '../tls/trust.js';

/** The server the kcbox global setup started for this run, as plain data. */
export function kcboxServer(): KcboxProvidedServer {
  const server = inject('kcbox');
  if (!server) {
    throw new TypeError('No kcbox server was provided: add kcboxGlobalSetup() to test.globalSetup in vitest.config.ts.');
  }
  trustCertificateAuthority(server.caFile);
  return server;
}
