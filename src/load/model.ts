import type { SourcePosition } from '../errors.js';
import type { BecomeMethod } from '../transport/become.js';

/** The validated, typed form of a playbook and an inventory. Values keep their `{{ }}` templates;
 * the engine renders them per host at run time. */

export interface Playbook {
  file: string;
  plays: Play[];
}

/** A boolean keyword as written: a boolean, or a string (one of Ansible's boolean words, or a template) the engine reads per host. */
export type Flag = boolean | string;

/** One batch size of `serial`: a number of hosts, or a percentage of the play's hosts ("30%"). */
export type BatchSize = number | string;

export interface Play {
  index: number;
  name: string;
  /** Host pattern, e.g. `kvm`, `nfs:kvm`, `all:!kvm2`. */
  hosts: string;
  vars: Record<string, unknown>;
  become: Flag;
  becomeUser: string;
  /** become_method, become_exe and become_flags; the tasks' default. */
  becomeMethod: BecomeMethod;
  connection: 'ssh' | 'local' | undefined;
  /** The login user where the inventory sets no ansible_user (a template). */
  remoteUser: string | undefined;
  gatherFacts: Flag;
  /** Batch sizes (`serial`), the last one repeating; empty: all the play's hosts in one batch. */
  serial: BatchSize[];
  anyErrorsFatal: Flag;
  /** End the play once more than this percentage of a batch's hosts failed. */
  maxFailPercentage: number | undefined;
  /** Defaults of the tasks' keywords of the same names. */
  ignoreUnreachable: Flag;
  environment: unknown[];
  checkMode: Flag | undefined;
  diff: Flag | undefined;
  /** Ansible's gather_subset (e.g. [network, '!hardware']); absent: all. */
  gatherSubset?: string[];
  tags: string[];
  /**
   * Every task known before the run, in the order written: those in blocks, imported files, roles and
   * include files named without a template too (read-ahead, grading, counts).
   */
  tasks: Task[];
  /** What the play runs: pre_tasks, then roles and tasks, then post_tasks; notified handlers run after each. */
  sections: Step[][];
  /** The play's handlers, its roles' handlers included. */
  handlers: Task[];
  /** Defaults of every role of the play: below the inventory (Ansible's lowest precedence). */
  roleDefaults: Record<string, unknown>;
  /** Variables (vars/main.yml, `vars:`) of every role of the play: above the play's vars and vars_files. */
  roleVars: Record<string, unknown>;
  position: SourcePosition;
}

/** One entry of what a play runs: a task, a block, or an include resolved at run time. */
export type Step = TaskStep | Block | Include;

export interface TaskStep {
  kind: 'task';
  task: Task;
}

/** block / rescue / always: its keywords are already inherited by the tasks inside. */
export interface Block {
  kind: 'block';
  id: string;
  name: string;
  block: Step[];
  rescue: Step[];
  always: Step[];
  position: SourcePosition;
}

/** include_tasks or include_role: the steps it names run at its place, for the hosts that reach it. */
export interface Include {
  kind: 'include';
  /** The include itself: its name, when (evaluated once, on the include), loop, tags and position. */
  task: Task;
  /** The file (include_tasks, may be a template) or the role (include_role). */
  target: string;
  /** The steps of a target written without a template, loaded and validated before the run. */
  steps: Step[] | undefined;
  /** Loads and validates the steps of a target named by a template, once rendered (throws ValidationError). */
  load(target: string): Step[];
}

/** The role a task belongs to, and what Ansible gives its tasks. */
export interface RoleScope {
  name: string;
  /** The role's directory (role_path): its templates/ and files/ are searched for a relative src. */
  dir: string;
  /** defaults/main.yml (its dependencies' first): above other roles' defaults, below the inventory. */
  defaults: Record<string, unknown>;
  /** vars/main.yml over the entry's `vars:`: above the play's vars. */
  vars: Record<string, unknown>;
  /** Other keys of the role's entry (`- {role: x, port: 80}`): above set_fact and registered values. */
  params: Record<string, unknown>;
}

export interface Task {
  /** Stable within a run, e.g. "p0.t3" or "p0.h1". */
  id: string;
  name: string;
  module: string;
  /** Module arguments, templates not yet rendered. Free-form `command: ls -l` arrives as {cmd: 'ls -l'}. */
  args: unknown;
  when: string[];
  /** The items as written under `loop` or `with_<lookup>`. */
  loop: unknown;
  /** For `with_<lookup>`, the lookup whose result are the items (`items` flattens one level; loop's items are not changed). */
  loopWith: string | undefined;
  loopVar: string;
  loopControl: LoopControl;
  register: string | undefined;
  notify: string[];
  /** For handlers: extra names this handler answers to. */
  listen: string[];
  tags: string[];
  become: Flag | undefined;
  becomeUser: string | undefined;
  /** The login user for this task where the inventory sets none (a template); unset: the play's. */
  remoteUser: string | undefined;
  /** What the task writes of become_method, become_exe and become_flags, over the play's. */
  becomeMethod: Partial<BecomeMethod>;
  ignoreErrors: Flag;
  /** Unset: the play's. */
  ignoreUnreachable: Flag | undefined;
  /** The host the task runs on instead (a template), with that host's connection and this host's variables. */
  delegateTo: string | undefined;
  /** With delegateTo: set_fact values go to the delegated host. */
  delegateFacts: Flag;
  runOnce: Flag;
  /** The environment of its blocks, then its own (mappings or templates giving one): later ones win. The play's comes first. */
  environment: unknown[];
  /** Unset: the play's, else --check and --diff. */
  checkMode: Flag | undefined;
  diff: Flag | undefined;
  anyErrorsFatal: Flag | undefined;
  changedWhen: string[] | undefined;
  failedWhen: string[] | undefined;
  until: string[] | undefined;
  retries: number;
  delayS: number;
  noLog: boolean;
  vars: Record<string, unknown>;
  /** How `runbook grade` counts the task: false leaves it out; else the step it belongs to. */
  grade: false | GradeSpec;
  /** The role the task comes from, if any. */
  role: RoleScope | undefined;
  /** `vars` of the include_tasks / include_role it came through: Ansible's include params, above set_fact. */
  includeParams: Record<string, unknown>;
  position: SourcePosition;
}

/** loop_control besides loop_var (Ansible's defaults: no label, no index variable, no pause, not extended). */
export interface LoopControl {
  /** Shown for each item instead of the item (a template). */
  label: unknown;
  /** A variable holding the item's index (from 0). */
  indexVar: string | undefined;
  /** Seconds to wait between items. */
  pause: number;
  /** Whether `ansible_loop` (index, first, last, previtem, ...) is defined. */
  extended: boolean;
  /** With extended: whether ansible_loop.allitems is defined. */
  extendedAllitems: boolean;
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
