import { describe, expect, it } from 'vitest';
import { bridgeModule, networkdFiles, switchScript, readLiveState } from '../../../../src/modules/bridge.js';
import type { ChangePlan, Plan, ProbeResults } from '../../../../src/modules/types.js';
import type { BridgeArgs } from '../../../../src/schema/generated/bridge.js';
import { sh } from '../../../../src/shell/command.js';
import { runShell } from '../../../helpers/local-shell.js';
import { context, failed, ok, planWith } from '../migrate/harness.js';

const ARGS: BridgeArgs = { name: 'br0', interface: 'eth0' };
const ETH0 = '2: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 6e:12:34:56:78:9a brd ff:ff:ff:ff:ff:ff link-netnsid 0\n';
const ETH0_IN_BR0 = '2: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP mode DEFAULT group default qlen 1000\\    link/ether 6e:12:34:56:78:9a brd ff:ff:ff:ff:ff:ff link-netnsid 0\n';
const BR0 = '3: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 6e:12:34:56:78:9a brd ff:ff:ff:ff:ff:ff promiscuity 0 \\    bridge forward_delay 0 hello_time 200 max_age 2000 stp_state 0 priority 32768\n';
const ADDRESS = (dev: string) => `2: ${dev}    inet 10.77.0.13/24 brd 10.77.0.255 scope global ${dev}\\       valid_lft forever preferred_lft forever\n`;
const NO_FILE = failed('', 3);

function files(address = '10.77.0.13/24', gateway: string | undefined = '10.77.0.1'): ProbeResults {
  return Object.fromEntries(
    networkdFiles('br0', 'eth0', address, gateway).map((file) => [
      file.path,
      // What fileContentProbe prints for a regular file: stat lines, then the content in base64.
      ok(`81a4\nroot\n0\nroot\n0\n${file.content.length}\ncontent\n${Buffer.from(file.content).toString('base64')}`),
    ]),
  );
}

const noFiles = (): ProbeResults => Object.fromEntries(networkdFiles('br0', 'eth0', '', undefined).map((file) => [file.path, NO_FILE]));

/** A host before the bridge: eth0 holds the address and the default route. */
function before(overrides: ProbeResults = {}): ProbeResults {
  return {
    'bridge link': failed('Device "br0" does not exist.\n'),
    'port link': ok(ETH0),
    'port addresses': ok(ADDRESS('eth0')),
    'bridge addresses': ok(''),
    'default routes': ok('default via 10.77.0.1 dev eth0 onlink\n'),
    ...noFiles(),
    ...overrides,
  };
}

/** The same host once bridged. */
function after(overrides: ProbeResults = {}): ProbeResults {
  return {
    'bridge link': ok(BR0),
    'port link': ok(ETH0_IN_BR0),
    'port addresses': ok(''),
    'bridge addresses': ok(ADDRESS('br0')),
    'default routes': ok('default via 10.77.0.1 dev br0\n'),
    ...files(),
    ...overrides,
  };
}

function plan(args: BridgeArgs, answers: ProbeResults): Exclude<Plan, { kind: 'probe' }> {
  return planWith(bridgeModule, args, context(), answers).plan;
}

describe('bridge: reading the host', () => {
  it('tells a bridge from another link, and reads the port, addresses and default routes', () => {
    expect(readLiveState(after())).toEqual({
      bridgeExists: true,
      isBridge: true,
      portMaster: 'br0',
      portMac: '6e:12:34:56:78:9a',
      portAddresses: [],
      bridgeAddresses: ['10.77.0.13/24'],
      defaultRoutes: [{ via: '10.77.0.1', dev: 'br0' }],
    });
    expect(readLiveState(after({ 'bridge link': ok('3: br0: <BROADCAST> mtu 1500\\    link/ether 6e:12:34:56:78:9a\\    dummy\n') })).isBridge).toBe(false);
  });
});

describe('bridge: plans', () => {
  it('moves the port and its address into the bridge, then writes the networkd files', () => {
    const changing = plan(ARGS, before()) as ChangePlan;
    expect(changing.kind).toBe('change');
    expect(changing.summary).toBe('move eth0 and 10.77.0.13/24 into bridge br0; write 3 systemd-networkd files');
    expect(changing.steps.map((step) => step.title)).toEqual([
      'switch eth0 into br0 on the host (put back unless confirmed within 20 s)',
      'confirm over this connection that the host still answers',
      'create directory /etc/systemd/network',
      'write /etc/systemd/network/10-runbook-br0.netdev',
      'write /etc/systemd/network/10-runbook-br0-port.network',
      'write /etc/systemd/network/10-runbook-br0.network',
    ]);
    expect(changing.diff?.[0]).toEqual({
      label: 'bridge br0 (live)',
      before: 'br0: absent\neth0: in no bridge\naddresses on eth0: 10.77.0.13/24\naddresses on br0: none\ndefault route: via 10.77.0.1 dev eth0\n',
      after: 'br0: bridge\neth0: in br0\naddresses on eth0: none\naddresses on br0: 10.77.0.13/24\ndefault route: via 10.77.0.1 dev br0\n',
    });
    expect(changing.result).toMatchObject({ name: 'br0', interface: 'eth0', address: '10.77.0.13/24', gateway: '10.77.0.1' });
  });

  it('writes networkd files that keep the address and gateway on the bridge', () => {
    expect(networkdFiles('br0', 'eth0', '10.77.0.13/24', '10.77.0.1').map((file) => file.content)).toEqual([
      '# Written by runbook (bridge module).\n[NetDev]\nName=br0\nKind=bridge\n\n[Bridge]\nSTP=no\nForwardDelaySec=0\n',
      '# Written by runbook (bridge module).\n[Match]\nName=eth0\n\n[Network]\nBridge=br0\n',
      '# Written by runbook (bridge module).\n[Match]\nName=br0\n\n[Network]\nAddress=10.77.0.13/24\nGateway=10.77.0.1\n',
    ]);
  });

  it('is ok once bridged, reading the address from the bridge; only stale files are rewritten', () => {
    expect(plan(ARGS, after())).toMatchObject({ kind: 'noop', reason: 'eth0 is in br0, which holds 10.77.0.13/24; its systemd-networkd files are in place' });
    const rewrite = plan(ARGS, after({ ...noFiles(), ...Object.fromEntries(Object.entries(files()).slice(0, 2)) })) as ChangePlan;
    expect(rewrite.steps.map((step) => step.title)).toEqual(['create directory /etc/systemd/network', 'write /etc/systemd/network/10-runbook-br0.network']);
  });

  it('refuses what it must not touch: a missing port, a non-bridge of that name, a port in another bridge, no address', () => {
    expect(plan(ARGS, before({ 'port link': failed('Device "eth0" does not exist.\n') }))).toMatchObject({ kind: 'fail', message: 'eth0: no such interface on kvm1 (Device "eth0" does not exist.)' });
    expect(plan(ARGS, before({ 'bridge link': ok('3: br0: <BROADCAST> mtu 1500\\    link/ether 6e:12:34:56:78:9a\\    dummy\n') }))).toMatchObject({ kind: 'fail', message: 'br0 exists on kvm1 and is not a bridge' });
    expect(plan(ARGS, before({ 'port link': ok(ETH0.replace('qdisc noqueue', 'qdisc noqueue master virbr0')) }))).toMatchObject({
      kind: 'fail',
      message: 'eth0 is already in virbr0; runbook never takes an interface out of another bridge',
    });
    expect(plan(ARGS, before({ 'port addresses': ok('') }))).toMatchObject({ kind: 'fail', message: 'eth0 has no IPv4 address to move onto br0, and no address is given' });
  });
});

describe('bridge: the switch script', () => {
  const live = readLiveState(before());
  const script = switchScript({ name: 'br0', port: 'eth0', address: '10.77.0.13/24', gateway: '10.77.0.1', live, confirmTimeoutS: 20 }, 'n0nce').render();

  it('is valid shell', () => {
    expect(runShell(sh`sh -n -c ${script}`).code).toBe(0);
  });

  it('creates the bridge with the port MAC, moves address and route, and rolls every part back', () => {
    expect(script).toContain(
      'ip link add name br0 type bridge stp_state 0 forward_delay 0 &&\n  ip link set dev br0 address 6e:12:34:56:78:9a &&\n  ip link set dev br0 up &&\n  ip link set dev eth0 master br0 &&\n  ip address del 10.77.0.13/24 dev eth0 &&\n  ip address replace 10.77.0.13/24 dev br0 &&\n  ip route replace default via 10.77.0.1 dev br0',
    );
    expect(script).toContain(
      'rb_rollback() {\n  ip address del 10.77.0.13/24 dev br0\n  ip link set dev eth0 nomaster\n  ip link delete dev br0\n  ip address replace 10.77.0.13/24 dev eth0\n  ip link set dev eth0 up\n  ip route replace default via 10.77.0.1 dev eth0\n}',
    );
    expect(script).toContain('while [ ! -e /run/runbook-bridge-br0-n0nce.confirm ] && [ $rb_waited -lt 200 ]');
  });
});
