import { assertModule } from './assert.js';
import { commandModule } from './command.js';
import { copyModule } from './copy.js';
import { debugModule } from './debug.js';
import { fileModule } from './file.js';
import { firewallModule } from './firewall.js';
import { guestImageModule } from './guest-image.js';
import { lineModule } from './line.js';
import { migrateModule } from './migrate.js';
import { mountModule } from './mount.js';
import { nfsExportModule } from './nfs-export.js';
import { packageModule } from './package.js';
import { selinuxBooleanModule } from './selinux-boolean.js';
import { serviceModule } from './service.js';
import { setFactModule } from './set-fact.js';
import { shellModule } from './shell.js';
import { templateModule } from './template.js';
import { virtDomainModule } from './virt-domain.js';
import type { ModuleDefinition } from './types.js';

// Every module of runbook, one line each, alphabetical. A module is usable once it is listed here and
// has schemas/modules/<name>.schema.json (a test checks the two lists match). The names playbooks may
// also use (Ansible's, where they mean the same) are resolved when loading: src/load/module-names.ts.
// `any`: each definition is typed by its own Args; the loader validates args against the schema first.
const definitions: readonly ModuleDefinition<any>[] = [
  assertModule,
  commandModule,
  copyModule,
  debugModule,
  fileModule,
  firewallModule,
  guestImageModule,
  lineModule,
  migrateModule,
  mountModule,
  nfsExportModule,
  packageModule,
  selinuxBooleanModule,
  serviceModule,
  setFactModule,
  shellModule,
  templateModule,
  virtDomainModule,
];

/** Module name → definition. */
export const modules: ReadonlyMap<string, ModuleDefinition<any>> = new Map(definitions.map((definition) => [definition.name, definition]));

/** The module registered under `name`, or undefined (the loader reports unknown modules with a did-you-mean). */
export function getModule(name: string): ModuleDefinition<any> | undefined {
  return modules.get(name);
}
