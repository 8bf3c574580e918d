/** Forgers of the transport cases: the valid token, sent the wrong way (or, for the control, an unusual but correct way). */
import type { Forger } from './forge-context.js';
import type { HostileAttempt } from './types.js';

/** The cases of the catalog's "Transport" section. */
export type TransportCaseId = 'query-token' | 'header-and-query' | 'dup-header' | 'scheme-case';

/** The second, invalid Authorization line of dup-header's mixed variants. */
export const GARBAGE_BEARER = 'Bearer kcbox-not-a-token';

/** One forger per transport case. */
export const transportForgers: Readonly<Record<TransportCaseId, Forger>> = {
  'query-token': ({ material }) => [
    {
      caseId: 'query-token',
      variant: 'access_token query parameter, no header',
      query: { access_token: material.validToken },
      token: material.validToken,
    },
  ],

  // Both carrying the valid token proves nothing (a backend that ignores the query answers 200
  // and is right); a garbage header beside a valid query token shows whether the query is read.
  'header-and-query': ({ material }) => [
    {
      caseId: 'header-and-query',
      variant: 'garbage Authorization header, valid access_token query parameter',
      authorization: GARBAGE_BEARER,
      query: { access_token: material.validToken },
      token: material.validToken,
    },
  ],

  'dup-header': ({ material }) => {
    const valid = `Bearer ${material.validToken}`;
    return [
      // Nothing to disagree about: at most advisory.
      {
        caseId: 'dup-header',
        variant: 'two lines with the valid token',
        authorization: [valid, valid],
        token: material.validToken,
        severityCap: 'advisory',
      },
      {
        caseId: 'dup-header',
        variant: 'valid line, then a garbage line',
        authorization: [valid, GARBAGE_BEARER],
        token: material.validToken,
      },
      {
        caseId: 'dup-header',
        variant: 'garbage line, then a valid line',
        authorization: [GARBAGE_BEARER, valid],
        token: material.validToken,
      },
    ];
  },

  'scheme-case': ({ material }) =>
    ['bearer', 'BEARER'].map((scheme): HostileAttempt => ({
      caseId: 'scheme-case',
      variant: `scheme "${scheme}"`,
      authorization: `${scheme} ${material.validToken}`,
      token: material.validToken,
    })),
};
