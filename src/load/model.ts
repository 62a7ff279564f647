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
  /** pre_tasks, tasks and post_tasks, in the order they run. */
  tasks: Task[];
  /** Ids of the tasks that end a section (pre_tasks, tasks, post_tasks): notified handlers run after each. */
  handlerFlushes: string[];
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
  /** Written as with_items, whose items Ansible flattens one level (loop's it does not). */
  flattenLoop: boolean;
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
  /** How `runbook grade` counts the task: false leaves it out; else the step it belongs to. */
  grade: false | GradeSpec;
  position: SourcePosition;
}

/** A task's place in grading (the `grade` keyword): its step (default the task's name), weight, texts for students. */
export interface GradeSpec {
  step: string;
  weight: number | undefined;
  message: string | undefined;
  hint: string | undefined;
}

export interface InventoryHost {
  name: string;
  /** Merged variables: group vars (all first, parents before children), then host vars. */
  vars: Record<string, unknown>;
  /** Every group the host belongs to, including `all` and ancestors. */
  groups: string[];
  /** The classroom pod the host belongs to (a child group of `runbook_pods`), if any. */
  pod: string | undefined;
}

export interface Inventory {
  /** Absent when running without an inventory (localhost only). */
  file: string | undefined;
  hosts: Map<string, InventoryHost>;
  /** Group name -> member host names (transitively through children). */
  groups: Map<string, string[]>;
  /** Classroom pods (the child groups of `runbook_pods`) -> their hosts; empty outside a classroom. */
  pods: Map<string, string[]>;
}
