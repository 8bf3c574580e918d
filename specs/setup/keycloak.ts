import { kcboxGlobalSetup } from '../../harness/vitest/global-setup.js';

// The suite's shared server runs from the cached distribution: `auto` would pick any Docker engine that answers and fail where the image cannot be pulled.
const runtime = process.env.KCBOX_RUNTIME || process.env.KCBOX_URL ? {} : { runtime: 'dist' as const };

export default kcboxGlobalSetup({ realms: ['realm/inventory-realm.json'], ...runtime });
