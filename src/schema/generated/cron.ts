/* Generated from schemas/modules/cron.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A cron job (or, with env, a variable) named by a `#Ansible: NAME` line, in a user's crontab (crontab -l, crontab -) or in a cron_file, as Ansible's ansible.builtin.cron writes them. The job's line is found by its name, or by its exact text (then the name line is added above it).
 */
export type CronArgs = {
  [k: string]: unknown;
} & {
  /**
   * The job's name, written as `#Ansible: NAME` above it; with env, the variable's name.
   */
  name: string;
  /**
   * Whose crontab (crontab -u USER); required with cron_file, where it is the job's user column.
   */
  user?: string;
  /**
   * The command (alias: value); with env, the variable's value. Required unless state is absent.
   */
  job?: string;
  /**
   * Ansible's alias of job.
   */
  value?: string;
  /**
   * A file in /etc/cron.d (a bare name) or an absolute path, instead of a user's crontab; removed when its last job is removed. /etc/crontab is refused, as by Ansible.
   */
  cron_file?: string;
  /**
   * present or absent.
   */
  state?: 'present' | 'absent';
  /**
   * Before a change, copy the crontab to a temporary file (mktemp /tmp/crontabXXXXXXXX) registered as backup_file.
   */
  backup?: boolean;
  /**
   * Minute field.
   */
  minute?: string;
  /**
   * Hour field.
   */
  hour?: string;
  /**
   * Day of the month field (alias: dom).
   */
  day?: string;
  /**
   * Ansible's alias of day.
   */
  dom?: string;
  /**
   * Month field.
   */
  month?: string;
  /**
   * Day of the week field (alias: dow).
   */
  weekday?: string;
  /**
   * Ansible's alias of weekday.
   */
  dow?: string;
  /**
   * @reboot, @daily, … instead of the time fields (which must then stay *).
   */
  special_time?: 'reboot' | 'yearly' | 'annually' | 'monthly' | 'weekly' | 'daily' | 'hourly';
  /**
   * Write the job commented out (#).
   */
  disabled?: boolean;
  /**
   * Manage a variable NAME="JOB" instead of a job.
   */
  env?: boolean;
  /**
   * With env, a new variable goes after this variable.
   */
  insertafter?: string;
  /**
   * With env, a new variable goes before this variable.
   */
  insertbefore?: string;
};
