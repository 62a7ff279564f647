import { assertModule } from './assert.js';
import { blockinfileModule } from './blockinfile.js';
import { commandModule } from './command.js';
import { copyModule } from './copy.js';
import { debugModule } from './debug.js';
import { failModule } from './fail.js';
import { fileModule } from './file.js';
import { firewallModule } from './firewall.js';
import { groupModule } from './group.js';
import { guestImageModule } from './guest-image.js';
import { lineModule } from './line.js';
import { lineinfileModule } from './lineinfile.js';
import { metaModule } from './meta.js';
import { migrateModule } from './migrate.js';
import { mountModule } from './mount.js';
import { nfsExportModule } from './nfs-export.js';
import { packageModule } from './package.js';
import { pauseModule } from './pause.js';
import { pingModule } from './ping.js';
import { replaceModule } from './replace.js';
import { selinuxBooleanModule } from './selinux-boolean.js';
import { serviceModule } from './service.js';
import { setFactModule } from './set-fact.js';
import { shellModule } from './shell.js';
import { slurpModule } from './slurp.js';
import { statModule } from './stat.js';
import { templateModule } from './template.js';
import { userModule } from './user.js';
import { virtDomainModule } from './virt-domain.js';
import { waitForModule } from './wait-for.js';
import type { ModuleDefinition } from './types.js';

// Every module of runbook, one line each, alphabetical. A module is usable once it is listed here and
// has schemas/modules/<name>.schema.json (a test checks the two lists match). The names playbooks may
// also use (Ansible's, where they mean the same) are resolved when loading: src/load/module-names.ts.
// `any`: each definition is typed by its own Args; the loader validates args against the schema first.
const definitions: readonly ModuleDefinition<any>[] = [
  assertModule,
  blockinfileModule,
  commandModule,
  copyModule,
  debugModule,
  failModule,
  fileModule,
  firewallModule,
  groupModule,
  guestImageModule,
  lineModule,
  lineinfileModule,
  metaModule,
  migrateModule,
  mountModule,
  nfsExportModule,
  packageModule,
  pauseModule,
  pingModule,
  replaceModule,
  selinuxBooleanModule,
  serviceModule,
  setFactModule,
  shellModule,
  slurpModule,
  statModule,
  templateModule,
  userModule,
  virtDomainModule,
  waitForModule,
];

/** Module name → definition. */
export const modules: ReadonlyMap<string, ModuleDefinition<any>> = new Map(definitions.map((definition) => [definition.name, definition]));

/** The module registered under `name`, or undefined (the loader reports unknown modules with a did-you-mean). */
export function getModule(name: string): ModuleDefinition<any> | undefined {
  return modules.get(name);
}
