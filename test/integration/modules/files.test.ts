import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskResult } from '../../../src/engine/events.js';
import type { JsonReport } from '../../../src/report/json.js';
import { sh } from '../../../src/shell/command.js';
import { runCli } from '../../helpers/cli.js';
import { sandboxInventoryPath, sshToHost } from '../../helpers/sandbox.js';

// copy, file, fetch and find with Ansible's meaning on one sandbox host: a relative src found in the
// playbook's files/, a copy into a directory, remote_src, validate, links followed for their mode,
// hard links, explicit times, a find over the result, a fetch back to the controller, and get_url
// from a web server on kvm2 (python3's http.server, which the sandbox image has; kvm1 gets curl).
const DIR = '/srv/rb files';
const MOTD = 'Welcome to the lab\n';
const PAGE = '<p>served by kvm2</p>\n';
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const work = mkdtempSync(join(tmpdir(), 'runbook-files-it-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const playbook = join(work, 'files.yml');

const PLAYBOOK = `
- name: files with Ansible's meaning
  hosts: kvm1
  tasks:
    - name: a directory and its missing parents, each with the mode
      ansible.builtin.file: { path: "${DIR}/a/b", state: directory, mode: "0750" }
    - name: copy a file found in files/ into a directory
      ansible.builtin.copy: { src: motd.txt, dest: "${DIR}/a/", mode: "0640" }
      register: copied
    - name: copy it on the host
      copy: { src: "${DIR}/a/motd.txt", dest: "${DIR}/copy.txt", remote_src: true }
    - name: validated content
      copy: { content: "key=value\\n", dest: "${DIR}/valid.conf", validate: "grep -q key= %s" }
    - name: a link whose target gets the mode
      file: { path: "${DIR}/link", src: copy.txt, state: link, mode: "0600" }
    - name: a hard link
      file: { path: "${DIR}/hard.txt", src: "${DIR}/valid.conf", state: hard }
    - name: an explicit modification time, access time preserved
      file: { path: "${DIR}/valid.conf", modification_time: "202401020304.05" }
    - name: the text files below
      ansible.builtin.find: { paths: "${DIR}", patterns: "*.txt", recurse: true }
      register: found
    - name: fetch the copy back
      ansible.builtin.fetch: { src: "${DIR}/a/motd.txt", dest: fetched }
    - name: download with a checksum
      ansible.builtin.get_url: { url: "http://kvm2:8080/page.html", dest: "${DIR}/page.html", checksum: "sha256:${sha256(PAGE)}", mode: "0604" }
    - name: download again every time (force), replaced only when it differs
      get_url: { url: "http://kvm2:8080/page.html", dest: "${DIR}/forced.html", force: true }
    - name: download unless not modified
      get_url: { url: "http://kvm2:8080/page.html", dest: "${DIR}/since.html" }
    - name: a directory to unpack into
      file: { path: "${DIR}/site", state: directory }
    - name: unpack an archive found in files/
      ansible.builtin.unarchive: { src: site.tar.gz, dest: "${DIR}/site" }
    - name: what was registered
      when: not ansible_check_mode
      assert:
        that:
          - copied.dest == "${DIR}/a/motd.txt"
          - copied.checksum == "${sha1(MOTD)}"
          - found.matched == 3
          - found.files | map(attribute='path') | sort | list == ["${DIR}/a/motd.txt", "${DIR}/copy.txt", "${DIR}/hard.txt"]
`;

interface Applied {
  code: number | null;
  output: string;
  report: JsonReport;
}

let runs = 0;
async function apply(check = false): Promise<Applied> {
  runs += 1;
  const reportFile = join(work, `report-${runs}.json`);
  const result = await runCli(['apply', playbook, '-i', sandboxInventoryPath(), ...(check ? ['--check'] : []), '--json', reportFile]);
  return { code: result.code, output: `${result.stdout}\n${result.stderr}`, report: JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport };
}

const changed = (applied: Applied) => Object.values(applied.report.recap).reduce((sum, recap) => sum + recap.changed, 0);
const results = (applied: Applied): TaskResult[] => applied.report.plays.flatMap((play) => play.tasks).flatMap((task) => Object.values(task.results));

beforeAll(async () => {
  mkdirSync(join(work, 'files'));
  writeFileSync(join(work, 'files', 'motd.txt'), MOTD);
  writeFileSync(playbook, PLAYBOOK);
  mkdirSync(join(work, 'tree', 'conf'), { recursive: true });
  writeFileSync(join(work, 'tree', 'conf', 'site.cfg'), 'listen 80\n');
  execFileSync('tar', ['-czf', join(work, 'files', 'site.tar.gz'), '-C', join(work, 'tree'), 'conf']);
  expect((await sshToHost('kvm1', sh`test -e ${DIR} && echo exists || echo absent`)).stdout).toBe('absent\n');
  const curl = await sshToHost('kvm1', sh`export DEBIAN_FRONTEND=noninteractive; apt-get update -qq >/dev/null && apt-get install -y -qq curl >/dev/null && command -v curl`, { timeoutMs: 300_000 });
  expect(curl.stdout, curl.stderr).toBe('/usr/bin/curl\n');
  const served = await sshToHost(
    'kvm2',
    sh`mkdir -p /srv/www && printf '%s' ${PAGE} > /srv/www/page.html && touch -d '2020-01-01' /srv/www/page.html && systemd-run --unit rb-http --quiet python3 -m http.server 8080 --directory /srv/www && sleep 1 && echo started`,
  );
  expect(served.stdout, served.stderr).toBe('started\n');
}, 360_000);

describe('copy, file, find and fetch on a sandbox host', () => {
  it('--check reports the changes and changes nothing, on the host or the controller', async () => {
    const checked = await apply(true);
    expect(checked.code, checked.output).toBe(0);
    expect(changed(checked)).toBeGreaterThan(0);
    expect((await sshToHost('kvm1', sh`test -e ${DIR} && echo exists || echo absent`)).stdout).toBe('absent\n');
    expect(existsSync(join(work, 'fetched'))).toBe(false);
  });

  it('applies, and the host and the controller read back as Ansible would leave them', async () => {
    const applied = await apply();
    expect(applied.code, applied.output).toBe(0);
    expect(changed(applied)).toBe(13);
    const read = await sshToHost(
      'kvm1',
      sh`cd ${DIR} && stat -c '%n %a %h' a a/b a/motd.txt copy.txt valid.conf page.html && readlink link && cat copy.txt forced.html since.html site/conf/site.cfg && date -d @"$(stat -c %Y valid.conf)" '+%Y-%m-%d %H:%M:%S'`,
    );
    expect(read.stdout).toBe(`a 750 3\na/b 750 2\na/motd.txt 640 1\ncopy.txt 600 1\nvalid.conf 644 2\npage.html 604 1\ncopy.txt\n${MOTD}${PAGE}${PAGE}listen 80\n2024-01-02 03:04:05\n`);
    expect(readFileSync(join(work, 'fetched', 'kvm1', 'srv', 'rb files', 'a', 'motd.txt'), 'utf8')).toBe(MOTD);
  });

  it('a second apply changes nothing', async () => {
    const again = await apply();
    expect(again.code, again.output).toBe(0);
    expect(changed(again), results(again).filter((result) => result.status === 'changed').map((result) => result.message).join('\n')).toBe(0);
  });
});
