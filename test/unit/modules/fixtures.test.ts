import { join } from 'node:path';
import { runFixtureDir } from '../../helpers/module-fixtures.js';

// Every test/unit/modules/<module>/<case>.json, whoever wrote the module.
runFixtureDir(join(import.meta.dirname));
