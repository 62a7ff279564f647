import { join } from 'node:path';
import { Fleet } from './lib/fleet.mjs';
import { writeInventory, writeFloorSpec } from './lib/workload.mjs';
import { runbookApply } from './lib/variants.mjs';
const log = (m) => process.stderr.write(`[hold] ${m}\n`);
const workdir = '/tmp/rb-hold';
const fleet = new Fleet({ workdir, port: 22, log });
await fleet.prepare();
const hosts = await fleet.grow(50);
for (const n of [1, 10, 50]) {
  writeInventory(fleet, hosts.slice(0, n), join(workdir, `inventory-${n}.yml`));
  await writeFloorSpec(fleet, hosts.slice(0, n), join(workdir, `floor-${n}.json`));
}
const r = await runbookApply({ inventory: join(workdir, 'inventory-50.yml'), hosts: 50, logDir: '/tmp/prof', label: 'conv' });
log(`converged ${r.code} changed ${r.changed}`);
log('READY');
const stop = async () => { await fleet.teardown(); process.exit(0); };
process.on('SIGTERM', stop); process.on('SIGINT', stop);
setInterval(() => {}, 1 << 30);
