import type { SourcePosition } from '../errors.js';

/** The validated, typed form of a playbook and an inventory. Values keep their `{{ }}` templates;
 * the engine renders them per host at run time. */

export interface Playbook {
  file: string;
  plays: Play[];
}

export interface Play {
  index: number;
  name: string;
  /** Host pattern, e.g. `kvm`, `nfs:kvm`, `all:!kvm2`. */
  hosts: string;
  vars: Record<string, unknown>;
  become: boolean;
  becomeUser: string;
  connection: 'ssh' | 'local' | undefined;
  gatherFacts: boolean;
  tags: string[];
  tasks: Task[];
  handlers: Task[];
  position: SourcePosition;
}

export interface Task {
  /** Stable within a run, e.g. "p0.t3" or "p0.h1". */
  id: string;
  name: string;
  module: string;
  /** Module arguments, templates not yet rendered. Free-form `command: ls -l` arrives as {cmd: 'ls -l'}. */
  args: unknown;
  when: string[];
  loop: unknown;
  loopVar: string;
  register: string | undefined;
  notify: string[];
  /** For handlers: extra names this handler answers to. */
  listen: string[];
  tags: string[];
  become: boolean | undefined;
  becomeUser: string | undefined;
  ignoreErrors: boolean;
  changedWhen: string[] | undefined;
  failedWhen: string[] | undefined;
  until: string[] | undefined;
  retries: number;
  delayS: number;
  noLog: boolean;
  vars: Record<string, unknown>;
  position: SourcePosition;
}

export interface InventoryHost {
  name: string;
  /** Merged variables: group vars (all first, parents before children), then host vars. */
  vars: Record<string, unknown>;
  /** Every group the host belongs to, including `all` and ancestors. */
  groups: string[];
}

export interface Inventory {
  /** Absent when running without an inventory (localhost only). */
  file: string | undefined;
  hosts: Map<string, InventoryHost>;
  /** Group name -> member host names (transitively through children). */
  groups: Map<string, string[]>;
}
