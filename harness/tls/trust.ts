import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher, getGlobalDispatcher } from 'undici';
import { KcboxError, describeError } from '../errors.js';

const trusted = new Set<string>();
let agent: Agent | undefined;
let envCaFile: string | undefined;

function readCa(caFile: string, source: string): string {
  try {
    const pem = readFileSync(caFile, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return pem;
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_TLS',
      `${source} ${caFile} is not a readable CA certificate (${describeError(error)}). Point it at a PEM file, or run \`kcbox ca\` for kcbox's own.`,
      { cause: error },
    );
  }
}

/**
 * Makes kcbox's own requests to Keycloak (admin API, token requests, decisions, readiness probes,
 * the hostile suite's Keycloak calls) trust the CA certificate in `caFile` besides the public
 * roots. Only kcbox's dispatcher changes: the process's global one and TLS checks stay as they are.
 */
export function trustCertificateAuthority(caFile: string | undefined, source = 'The CA file'): void {
  if (!caFile) return;
  const pem = readCa(caFile, source);
  if (trusted.has(pem)) return;
  trusted.add(pem);
  // The previous agent stays open for whoever holds it (an admin client); new requests get the larger set.
  agent = undefined;
}

/**
 * The dispatcher for every request kcbox sends to Keycloak: the global one until a CA was
 * trusted (see {@link trustCertificateAuthority}, or env `KCBOX_CA_FILE`), then an agent that
 * verifies servers against the public roots plus those CAs.
 */
export function keycloakDispatcher(env: NodeJS.ProcessEnv = process.env): Dispatcher {
  if (env.KCBOX_CA_FILE && env.KCBOX_CA_FILE !== envCaFile) {
    trustCertificateAuthority(env.KCBOX_CA_FILE, 'KCBOX_CA_FILE');
    envCaFile = env.KCBOX_CA_FILE;
  }
  if (trusted.size === 0) return getGlobalDispatcher();
  agent ??= new Agent({ connect: { ca: [...rootCertificates, ...trusted] } });
  return agent;
}
