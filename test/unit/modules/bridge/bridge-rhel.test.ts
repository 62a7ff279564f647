import { describe, expect, it } from 'vitest';
import { activeConnection, bridgeModule, keyfiles } from '../../../../src/modules/bridge.js';
import type { ChangePlan, Plan, ProbeResults } from '../../../../src/modules/types.js';
import type { BridgeArgs } from '../../../../src/schema/generated/bridge.js';
import { raw, sh } from '../../../../src/shell/command.js';
import { runShell } from '../../../helpers/local-shell.js';
import { context, failed, ok, planWith } from '../migrate/harness.js';

/** A RHEL 9 host: NetworkManager runs the lab interface ens3 through the profile cloud-init made. */
const RHEL = context({ facts: { ...context().facts, osFamily: 'redhat' } });
const ARGS: BridgeArgs = { name: 'br0', interface: 'ens3' };
const ENS3 = '2: ens3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\\    altname enp0s3\n';
const ENS3_IN_BR0 = '2: ens3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel master br0 state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\\    altname enp0s3\n';
const BR0 = '3: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff promiscuity 0 \\    bridge forward_delay 1500 hello_time 200 max_age 2000 stp_state 0 priority 32768\n';
const ADDRESS = (dev: string) => `2: ${dev}    inet 10.77.0.13/24 brd 10.77.0.255 scope global noprefixroute ${dev}\\       valid_lft forever preferred_lft forever\n`;
const BRIDGE_KEYFILE = '/etc/NetworkManager/system-connections/br0.nmconnection';
const PORT_KEYFILE = '/etc/NetworkManager/system-connections/br0-port-ens3.nmconnection';
const BRIDGE_CONTENT =
  '# Written by runbook (bridge module).\n[connection]\nid=br0\ntype=bridge\ninterface-name=br0\n\n[bridge]\nstp=false\n\n[ipv4]\nmethod=manual\naddress1=10.77.0.13/24,10.77.0.1\n';
const PORT_CONTENT = '# Written by runbook (bridge module).\n[connection]\nid=br0-port-ens3\ntype=ethernet\ninterface-name=ens3\nmaster=br0\nslave-type=bridge\nautoconnect-priority=10\n';

/** What fileContentProbe prints for a regular file: mode (hex), owner, uid, group, gid, size, then the content in base64. */
const keyfile = (content: string, modeHex = '8180') => ok(`${modeHex}\nroot\n0\nroot\n0\n${content.length}\ncontent\n${Buffer.from(content).toString('base64')}`);

function before(overrides: ProbeResults = {}): ProbeResults {
  return {
    'bridge link': failed('Device "br0" does not exist.\n'),
    'port link': ok(ENS3),
    'port addresses': ok(ADDRESS('ens3')),
    'bridge addresses': ok(''),
    'default routes': ok('default via 10.77.0.1 dev ens3 proto static metric 100\n'),
    'NetworkManager active': ok('active\n'),
    'active connections': ok('cloud-init ens3:ens3\nlo:lo\n'),
    [BRIDGE_KEYFILE]: failed('', 3),
    [PORT_KEYFILE]: failed('', 3),
    ...overrides,
  };
}

function after(overrides: ProbeResults = {}): ProbeResults {
  return {
    'bridge link': ok(BR0),
    'port link': ok(ENS3_IN_BR0),
    'port addresses': ok(''),
    'bridge addresses': ok(ADDRESS('br0')),
    'default routes': ok('default via 10.77.0.1 dev br0 proto static metric 425\n'),
    'NetworkManager active': ok('active\n'),
    'active connections': ok('br0:br0\nbr0-port-ens3:ens3\nlo:lo\n'),
    [BRIDGE_KEYFILE]: keyfile(BRIDGE_CONTENT),
    [PORT_KEYFILE]: keyfile(PORT_CONTENT),
    ...overrides,
  };
}

function plan(answers: ProbeResults, ctx = RHEL): Exclude<Plan, { kind: 'probe' }> {
  return planWith(bridgeModule, ARGS, ctx, answers).plan;
}

/** The script the switch step starts detached on the host, unquoted by a real shell as the host's would. */
function switchScript(changing: ChangePlan): string {
  const command = changing.steps[0]?.command.render() ?? '';
  const quotedScript = /setsid sh -c ('(?:[^']|'\\'')*')/.exec(command)?.[1];
  if (quotedScript === undefined) throw new Error('no detached script in the switch step');
  return runShell(sh`printf '%s' ${raw(quotedScript)}`).stdout;
}

describe('bridge on RHEL: NetworkManager', () => {
  it('reads the connection active on the port, nmcli escapes and all', () => {
    expect(activeConnection('cloud-init ens3:ens3\nlo:lo\n', 'ens3')).toBe('cloud-init ens3');
    expect(activeConnection('Wired\\: lab:ens3\n', 'ens3')).toBe('Wired: lab');
    expect(activeConnection('lo:lo\n', 'ens3')).toBeUndefined();
  });

  it('writes the keyfiles root-only and activates them inside the guarded switch, nothing after', () => {
    const changing = plan(before()) as ChangePlan;
    expect(changing.kind).toBe('change');
    expect(changing.summary).toBe('move ens3 and 10.77.0.13/24 into bridge br0; write 2 NetworkManager keyfiles');
    expect(changing.steps.map((step) => step.title)).toEqual([
      'switch ens3 into br0 on the host (put back unless confirmed within 20 s)',
      'confirm over this connection that the host still answers',
    ]);
    expect(changing.diff).toEqual([
      {
        label: 'bridge br0 (live)',
        before: 'br0: absent\nens3: in no bridge\naddresses on ens3: 10.77.0.13/24\naddresses on br0: none\ndefault route: via 10.77.0.1 dev ens3\n',
        after: 'br0: bridge\nens3: in br0\naddresses on ens3: none\naddresses on br0: 10.77.0.13/24\ndefault route: via 10.77.0.1 dev br0\n',
      },
      { label: BRIDGE_KEYFILE, before: '', after: BRIDGE_CONTENT },
      { label: PORT_KEYFILE, before: '', after: PORT_CONTENT },
    ]);
    expect(keyfiles('br0', 'ens3', '10.77.0.13/24', '10.77.0.1').map((file) => file.content)).toEqual([BRIDGE_CONTENT, PORT_CONTENT]);
    expect(changing.result).toMatchObject({ files: [BRIDGE_KEYFILE, PORT_KEYFILE] });
  });

  it('switches by nmcli and rolls back to the connection the port had, unless confirmed', () => {
    const script = switchScript(plan(before()) as ChangePlan);
    expect(runShell(sh`sh -n -c ${script}`).code).toBe(0);
    expect(script).toContain(
      `(umask 077 && printf '%s' '${BRIDGE_CONTENT}' > ${BRIDGE_KEYFILE}) && chown root:root -- ${BRIDGE_KEYFILE} && chmod 0600 -- ${BRIDGE_KEYFILE} &&\n  (umask 077 && printf '%s' '${PORT_CONTENT}' > ${PORT_KEYFILE}) && chown root:root -- ${PORT_KEYFILE} && chmod 0600 -- ${PORT_KEYFILE} &&\n  nmcli connection reload &&\n  nmcli connection up br0 &&\n  nmcli connection up br0-port-ens3; }`,
    );
    expect(script).toContain(`rb_rollback() {\n  rm -f -- ${BRIDGE_KEYFILE}\n  rm -f -- ${PORT_KEYFILE}\n  nmcli connection reload\n  nmcli connection up 'cloud-init ens3'\n}`);
    expect(script).toContain('while [ ! -e /run/runbook-bridge-br0-0123456789abcdef.confirm ] && [ $rb_waited -lt 200 ]');
  });

  it('keeps keyfiles it replaces until confirmed, and puts them back on rollback', () => {
    const changing = plan(after({ [PORT_KEYFILE]: keyfile(PORT_CONTENT.replace('master=br0\n', 'controller=br0\n')) })) as ChangePlan;
    expect(changing.summary).toBe('write 1 NetworkManager keyfile');
    expect(changing.diff?.map((diff) => diff.label)).toEqual([PORT_KEYFILE]);
    const script = switchScript(changing);
    const saved = `${PORT_KEYFILE}.runbook-0123456789abcdef`;
    expect(script).toContain(`{ cp -p -- ${PORT_KEYFILE} ${saved} &&`);
    expect(script).toContain(`rb_rollback() {\n  mv -f -- ${saved} ${PORT_KEYFILE}\n  nmcli connection reload\n  nmcli connection up br0-port-ens3\n}`);
    expect(script).toContain(`then rm -f -- ${saved}; echo committed > /run/runbook-bridge-br0-0123456789abcdef.state; exit 0; fi`);
  });

  it('is ok once bridged with its keyfiles in place, root-only', () => {
    expect(plan(after())).toMatchObject({ kind: 'noop', reason: 'ens3 is in br0, which holds 10.77.0.13/24; its NetworkManager keyfiles are in place' });
    // 0x81a4: a regular file, mode 0644, which NetworkManager would not load.
    expect(plan(after({ [BRIDGE_KEYFILE]: keyfile(BRIDGE_CONTENT, '81a4') }))).toMatchObject({ kind: 'change', summary: 'write 1 NetworkManager keyfile' });
  });

  it('plans the same in check mode, diff included: the engine runs no step', () => {
    const checking = plan(before(), { ...RHEL, check: true }) as ChangePlan;
    expect(checking).toEqual(plan(before()));
    expect(checking.diff?.map((diff) => diff.label)).toEqual(['bridge br0 (live)', BRIDGE_KEYFILE, PORT_KEYFILE]);
    expect(plan(after(), { ...RHEL, check: true })).toMatchObject({ kind: 'noop' });
  });

  it('refuses a host where NetworkManager does not run', () => {
    expect(plan(before({ 'NetworkManager active': failed('', 3) }))).toMatchObject({
      kind: 'fail',
      message: 'bridge: NetworkManager is not active on kvm1; runbook configures RHEL-family hosts through its keyfiles',
    });
  });
});
