/** OpenAPI documents: a matrix file written from one (`kcbox init`), and the coverage gate. */
export { initMatrix } from './init-matrix.js';
export type { InitMatrix, InitMatrixOptions } from './init-matrix.js';
export { openApiCoverage } from './coverage.js';
export type { CoverageSpec, OpenApiCoverage } from './coverage.js';
