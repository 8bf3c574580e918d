import { kcboxGlobalSetup } from '../../harness/vitest/global-setup.js';

export default kcboxGlobalSetup({ realms: ['realm/inventory-realm.json'] });
