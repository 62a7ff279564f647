import { aptRepositoryModule } from './apt-repository.js';
import { assertModule } from './assert.js';
import { authorizedKeyModule } from './authorized-key.js';
import { blockinfileModule } from './blockinfile.js';
import { commandModule } from './command.js';
import { copyModule } from './copy.js';
import { cronModule } from './cron.js';
import { debugModule } from './debug.js';
import { failModule } from './fail.js';
import { fetchModule } from './fetch.js';
import { fileModule } from './file.js';
import { findModule } from './find.js';
import { filesystemModule } from './filesystem.js';
import { firewalldModule, firewallModule } from './firewall.js';
import { getUrlModule } from './get-url.js';
import { gitModule } from './git.js';
import { groupModule } from './group.js';
import { hostnameModule } from './hostname.js';
import { includeVarsModule } from './include-vars.js';
import { guestImageModule } from './guest-image.js';
import { bridgeModule } from './bridge.js';
import { lineModule } from './line.js';
import { lineinfileModule } from './lineinfile.js';
import { lvgModule } from './lvg.js';
import { lvolModule } from './lvol.js';
import { metaModule } from './meta.js';
import { migrateModule } from './migrate.js';
import { mountModule } from './mount.js';
import { nfsExportModule } from './nfs-export.js';
import { aptModule, dnfModule, packageModule, yumModule } from './package.js';
import { pauseModule } from './pause.js';
import { pingModule } from './ping.js';
import { replaceModule } from './replace.js';
import { rpmKeyModule } from './rpm-key.js';
import { sebooleanModule, selinuxBooleanModule } from './selinux-boolean.js';
import { serviceFactsModule } from './service-facts.js';
import { serviceModule, systemdModule } from './service.js';
import { setFactModule } from './set-fact.js';
import { setupModule } from './setup.js';
import { shellModule } from './shell.js';
import { slurpModule } from './slurp.js';
import { statModule } from './stat.js';
import { sysctlModule } from './sysctl.js';
import { templateModule } from './template.js';
import { unarchiveModule } from './unarchive.js';
import { timezoneModule } from './timezone.js';
import { userModule } from './user.js';
import { virtDomainModule } from './virt-domain.js';
import { virtModule } from './virt.js';
import { virtNetModule } from './virt-net.js';
import { virtPoolModule } from './virt-pool.js';
import { waitForModule } from './wait-for.js';
import { yumRepositoryModule } from './yum-repository.js';
import type { ModuleDefinition } from './types.js';

// Every module of runbook, one line each, alphabetical. A module is usable once it is listed here and
// has schemas/modules/<name>.schema.json (a test checks the two lists match). The names playbooks may
// also use (Ansible's, where they mean the same) are resolved when loading: src/load/module-names.ts.
// `any`: each definition is typed by its own Args; the loader validates args against the schema first.
const definitions: readonly ModuleDefinition<any>[] = [
  aptModule,
  aptRepositoryModule,
  assertModule,
  authorizedKeyModule,
  blockinfileModule,
  commandModule,
  copyModule,
  cronModule,
  debugModule,
  dnfModule,
  failModule,
  fetchModule,
  fileModule,
  findModule,
  filesystemModule,
  firewallModule,
  firewalldModule,
  getUrlModule,
  gitModule,
  groupModule,
  hostnameModule,
  includeVarsModule,
  guestImageModule,
  bridgeModule,
  lineModule,
  lineinfileModule,
  lvgModule,
  lvolModule,
  metaModule,
  migrateModule,
  mountModule,
  nfsExportModule,
  packageModule,
  pauseModule,
  pingModule,
  replaceModule,
  rpmKeyModule,
  sebooleanModule,
  selinuxBooleanModule,
  serviceModule,
  serviceFactsModule,
  setFactModule,
  setupModule,
  shellModule,
  slurpModule,
  statModule,
  sysctlModule,
  systemdModule,
  templateModule,
  unarchiveModule,
  timezoneModule,
  userModule,
  virtModule,
  virtDomainModule,
  virtNetModule,
  virtPoolModule,
  waitForModule,
  yumRepositoryModule,
  yumModule,
];

/** Module name → definition. */
export const modules: ReadonlyMap<string, ModuleDefinition<any>> = new Map(definitions.map((definition) => [definition.name, definition]));

/** The module registered under `name`, or undefined (the loader reports unknown modules with a did-you-mean). */
export function getModule(name: string): ModuleDefinition<any> | undefined {
  return modules.get(name);
}
