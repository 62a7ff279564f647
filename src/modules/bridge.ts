import type { BridgeArgs } from '../schema/generated/bridge.js';
import { Command, quoted, sh } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';
import { probeOutput } from './lib/probe-output.js';
import { contentDiff, fileContentProbe, parseFileContent, writeFileSteps } from './lib/remote-file.js';
import type { ModuleContext, ModuleDefinition, Plan, ProbeResults, Step } from './types.js';

/**
 * Puts a host interface into a bridge and moves its IPv4 address (and the default route through it)
 * onto the bridge: how a KVM host lets its guests join its own network. The live switch cuts the
 * interface off for a moment and a wrong address cuts the host off for good, over the very SSH
 * connection runbook talks through. So the host switches by itself, in a detached script, and puts
 * everything back unless runbook confirms over that same connection within confirm_timeout seconds.
 * Only once confirmed are the systemd-networkd files written that make the bridge persistent.
 * RHEL-family hosts run NetworkManager, which would fight live `ip` changes: there the switch script
 * itself writes the keyfiles and activates them, and its rollback brings the previous connection back.
 */

const PROBE = {
  bridge: 'bridge link',
  port: 'port link',
  portAddresses: 'port addresses',
  bridgeAddresses: 'bridge addresses',
  routes: 'default routes',
  networkManager: 'NetworkManager active',
  connections: 'active connections',
} as const;

const NETWORKD_DIR = '/etc/systemd/network';
const HEADER = '# Written by runbook (bridge module).\n';

export interface NetworkdFile {
  path: string;
  content: string;
}

/** systemd-networkd's files for the bridge, its port and its address; named to sort before the distribution's own. */
export function networkdFiles(name: string, port: string, address: string, gateway: string | undefined): NetworkdFile[] {
  return [
    { path: `${NETWORKD_DIR}/10-runbook-${name}.netdev`, content: `${HEADER}[NetDev]\nName=${name}\nKind=bridge\n\n[Bridge]\nSTP=no\nForwardDelaySec=0\n` },
    { path: `${NETWORKD_DIR}/10-runbook-${name}-port.network`, content: `${HEADER}[Match]\nName=${port}\n\n[Network]\nBridge=${name}\n` },
    {
      path: `${NETWORKD_DIR}/10-runbook-${name}.network`,
      content: `${HEADER}[Match]\nName=${name}\n\n[Network]\nAddress=${address}\n${gateway === undefined ? '' : `Gateway=${gateway}\n`}`,
    },
  ];
}

const KEYFILE_DIR = '/etc/NetworkManager/system-connections';

/** NetworkManager's profile names for the bridge and its port; each keyfile is named after its profile. */
export function keyfileIds(name: string, port: string): { bridge: string; port: string } {
  return { bridge: name, port: `${name}-port-${port}` };
}

/**
 * NetworkManager keyfiles for the bridge (holding the address) and its port. master=/slave-type= rather
 * than controller=/port-type=: RHEL 8's NetworkManager (1.40) knows only the former, RHEL 9's reads both.
 */
export function keyfiles(name: string, port: string, address: string, gateway: string | undefined): NetworkdFile[] {
  const ids = keyfileIds(name, port);
  return [
    {
      path: `${KEYFILE_DIR}/${ids.bridge}.nmconnection`,
      content: `${HEADER}[connection]\nid=${ids.bridge}\ntype=bridge\ninterface-name=${name}\n\n[bridge]\nstp=false\n\n[ipv4]\nmethod=manual\naddress1=${address}${gateway === undefined ? '' : `,${gateway}`}\n`,
    },
    {
      // The priority makes a boot pick this profile for the port over the one it had before.
      path: `${KEYFILE_DIR}/${ids.port}.nmconnection`,
      content: `${HEADER}[connection]\nid=${ids.port}\ntype=ethernet\ninterface-name=${port}\nmaster=${name}\nslave-type=bridge\nautoconnect-priority=10\n`,
    },
  ];
}

/** The name of the connection active on `device`, from `nmcli -t -f NAME,DEVICE connection show --active` (which escapes ':' and '\\'). */
export function activeConnection(output: string, device: string): string | undefined {
  for (const line of output.split('\n')) {
    const match = /^((?:[^\\:]|\\.)*):(.*)$/.exec(line);
    if (match?.[2] === device) return (match[1] as string).replace(/\\(.)/g, '$1');
  }
  return undefined;
}

interface LiveState {
  bridgeExists: boolean;
  isBridge: boolean;
  portMaster: string | undefined;
  portMac: string | undefined;
  portAddresses: string[];
  bridgeAddresses: string[];
  defaultRoutes: Array<{ via: string; dev: string }>;
}

function addressesOf(result: ExecResult): string[] {
  if (result.code !== 0) return [];
  return [...result.stdout.matchAll(/\binet (\S+)/g)].map((match) => match[1] as string);
}

export function readLiveState(probes: ProbeResults): LiveState {
  const bridge = probeOutput(probes, PROBE.bridge);
  const port = probeOutput(probes, PROBE.port).stdout;
  return {
    bridgeExists: bridge.code === 0,
    isBridge: bridge.code === 0 && /\bbridge\b/.test(bridge.stdout.split('\n')[0]?.replace(/^[^>]*>/, '') ?? ''),
    portMaster: /\bmaster (\S+)/.exec(port)?.[1],
    portMac: /link\/ether (\S+)/.exec(port)?.[1],
    portAddresses: addressesOf(probeOutput(probes, PROBE.portAddresses)),
    bridgeAddresses: addressesOf(probeOutput(probes, PROBE.bridgeAddresses)),
    defaultRoutes: [...probeOutput(probes, PROBE.routes).stdout.matchAll(/^default via (\S+) dev (\S+)/gm)].map((match) => ({
      via: match[1] as string,
      dev: match[2] as string,
    })),
  };
}

function describeLive(name: string, port: string, live: LiveState): string {
  const routes = live.defaultRoutes.map((route) => `via ${route.via} dev ${route.dev}`).join(', ') || 'none';
  return [
    `${name}: ${live.bridgeExists ? (live.isBridge ? 'bridge' : 'not a bridge') : 'absent'}`,
    `${port}: ${live.portMaster === undefined ? 'in no bridge' : `in ${live.portMaster}`}`,
    `addresses on ${port}: ${live.portAddresses.join(', ') || 'none'}`,
    `addresses on ${name}: ${live.bridgeAddresses.join(', ') || 'none'}`,
    `default route: ${routes}`,
    '',
  ].join('\n');
}

/** Files on the host for one switch: the script's state, runbook's confirmation, the script's log. */
function switchFiles(name: string, nonce: string): { state: string; confirm: string; log: string } {
  const base = `/run/runbook-bridge-${name}-${nonce}`;
  return { state: `${base}.state`, confirm: `${base}.confirm`, log: `${base}.log` };
}

interface Switch {
  name: string;
  port: string;
  address: string;
  gateway: string | undefined;
  live: LiveState;
  confirmTimeoutS: number;
  /** On NetworkManager hosts: the keyfiles to put in place and the connection the port had before. */
  networkManager?: { files: Array<NetworkdFile & { existed: boolean }>; previous: string | undefined };
}

/** What the detached script runs: the switch, its rollback (best effort, every command: put back as much as can be). */
interface SwitchCommands {
  apply: Command[];
  rollback: Command[];
  /** Run once confirmed: what only the rollback would have needed. */
  commit: Command[];
}

/** The live switch with `ip`. */
function ipCommands(wanted: Switch): SwitchCommands {
  const { name, port, address, gateway, live } = wanted;
  const oldGateway = live.defaultRoutes.find((route) => route.dev === port)?.via;
  return {
    // The bridge takes the port's MAC address, so that the neighbours' ARP entries stay right.
    apply: [
      ...(live.bridgeExists ? [] : [sh`ip link add name ${name} type bridge stp_state 0 forward_delay 0`]),
      ...(live.portMac === undefined ? [] : [sh`ip link set dev ${name} address ${live.portMac}`]),
      sh`ip link set dev ${name} up`,
      sh`ip link set dev ${port} master ${name}`,
      ...live.portAddresses.map((old) => sh`ip address del ${old} dev ${port}`),
      sh`ip address replace ${address} dev ${name}`,
      ...(gateway === undefined ? [] : [sh`ip route replace default via ${gateway} dev ${name}`]),
    ],
    rollback: [
      sh`ip address del ${address} dev ${name}`,
      sh`ip link set dev ${port} nomaster`,
      ...(live.bridgeExists ? [] : [sh`ip link delete dev ${name}`]),
      ...live.portAddresses.map((old) => sh`ip address replace ${old} dev ${port}`),
      sh`ip link set dev ${port} up`,
      ...(oldGateway === undefined ? [] : [sh`ip route replace default via ${oldGateway} dev ${port}`]),
    ],
    commit: [],
  };
}

/**
 * The switch by NetworkManager: the keyfiles written, then activated. Its rollback puts back the keyfiles
 * that were there (or removes the new ones), then brings up the connection the port had, or else undoes by `ip`.
 */
function networkManagerCommands(wanted: Switch, nm: NonNullable<Switch['networkManager']>, nonce: string): SwitchCommands {
  const ids = keyfileIds(wanted.name, wanted.port);
  const saved = (path: string) => `${path}.runbook-${nonce}`;
  return {
    apply: [
      ...nm.files.filter((file) => file.existed).map((file) => sh`cp -p -- ${file.path} ${saved(file.path)}`),
      // NetworkManager ignores keyfiles that others than root may read.
      ...nm.files.map((file) => sh`(umask 077 && printf '%s' ${file.content} > ${file.path}) && chown root:root -- ${file.path} && chmod 0600 -- ${file.path}`),
      sh`nmcli connection reload`,
      // Activating the bridge does not activate its port (autoconnect-slaves is off by default).
      sh`nmcli connection up ${ids.bridge}`,
      sh`nmcli connection up ${ids.port}`,
    ],
    rollback: [
      ...nm.files.map((file) => (file.existed ? sh`mv -f -- ${saved(file.path)} ${file.path}` : sh`rm -f -- ${file.path}`)),
      sh`nmcli connection reload`,
      ...(nm.previous === undefined ? ipCommands(wanted).rollback : [sh`nmcli connection up ${nm.previous}`]),
    ],
    commit: nm.files.filter((file) => file.existed).map((file) => sh`rm -f -- ${saved(file.path)}`),
  };
}

/** The detached script: switch, wait for the confirmation, or put everything back as it was. */
export function switchScript(wanted: Switch, nonce: string): Command {
  const files = switchFiles(wanted.name, nonce);
  const { apply: switchCommands, rollback: rollbackCommands, commit } =
    wanted.networkManager === undefined ? ipCommands(wanted) : networkManagerCommands(wanted, wanted.networkManager, nonce);
  const tenths = wanted.confirmTimeoutS * 10;
  return sh`rb_rollback() {
  ${Command.join(rollbackCommands, '\n  ')}
}
set -x
if ! { ${Command.join(switchCommands, ' &&\n  ')}; }; then
  rb_rollback
  echo "failed: the switch itself failed (see ${files.log}), put back as it was" > ${files.state}
  exit 1
fi
echo applied > ${files.state}
rb_waited=0
while [ ! -e ${files.confirm} ] && [ $rb_waited -lt ${tenths} ]; do sleep 0.1; rb_waited=$((rb_waited + 1)); done
if [ -e ${files.confirm} ]; then ${Command.join([...commit, sh`echo committed > ${files.state}`], '; ')}; exit 0; fi
rb_rollback
echo ${`rolled back: no confirmation over the SSH connection within ${wanted.confirmTimeoutS} s after the switch (the host did not answer at its address)`} > ${files.state}`;
}

function switchSteps(wanted: Switch, nonce: string): Step[] {
  const files = switchFiles(wanted.name, nonce);
  const waitTenths = (wanted.confirmTimeoutS + 10) * 10;
  return [
    {
      // This step answers only once the switch is done, so its answer is the first to cross the
      // switched network; the confirmation below is then a second exchange, sent after it.
      title: `switch ${wanted.port} into ${wanted.name} on the host (put back unless confirmed within ${wanted.confirmTimeoutS} s)`,
      command: sh`rm -f -- ${files.state} ${files.confirm}
setsid sh -c ${quoted(switchScript(wanted, nonce))} > ${files.log} 2>&1 < /dev/null &
rb_waited=0
while [ -z "$(cat -- ${files.state} 2>/dev/null)" ] && [ $rb_waited -lt ${waitTenths} ]; do sleep 0.1; rb_waited=$((rb_waited + 1)); done
cat -- ${files.state}`,
      timeoutMs: (wanted.confirmTimeoutS + 60) * 1000,
      failureMessage: `${wanted.name}: no answer from the host after the switch; it puts ${wanted.port} back by itself when runbook cannot confirm within ${wanted.confirmTimeoutS} s`,
    },
    {
      // A new exchange over the same SSH connection, sent only after the switch: the proof that the host still answers.
      title: `confirm over this connection that the host still answers`,
      command: sh`rb_state() { cat -- ${files.state} 2>/dev/null; }
if [ "$(rb_state)" = applied ]; then touch -- ${files.confirm}; fi
rb_waited=0
while [ "$(rb_state)" = applied ] && [ $rb_waited -lt 50 ]; do sleep 0.1; rb_waited=$((rb_waited + 1)); done
rb_final=$(rb_state)
rm -f -- ${files.state} ${files.confirm}
if [ "$rb_final" = committed ]; then rm -f -- ${files.log}; exit 0; fi
echo "\${rb_final:-the switch did not report}" >&2
exit 1`,
      // A connection cut by the switch comes back once the host has rolled back, after TCP's retransmission backoff.
      timeoutMs: (wanted.confirmTimeoutS + 60) * 1000,
      failureMessage: `${wanted.name}: the host did not keep the switch; it puts ${wanted.port} back by itself when runbook cannot confirm within ${wanted.confirmTimeoutS} s`,
    },
  ];
}

function resolve(args: BridgeArgs, live: LiveState): { address: string; gateway: string | undefined } | string {
  const address = args.address ?? (live.portMaster === args.name ? live.bridgeAddresses[0] : undefined) ?? live.portAddresses[0];
  if (address === undefined) return `${args.interface} has no IPv4 address to move onto ${args.name}, and no address is given`;
  const gateway = args.gateway ?? live.defaultRoutes.find((route) => route.dev === args.interface || route.dev === args.name)?.via;
  return { address, gateway };
}

export const bridgeModule: ModuleDefinition<BridgeArgs> = {
  name: 'bridge',
  summary: "A Linux bridge holding a host interface, with the interface's address moved onto it; live, persistent (systemd-networkd, or NetworkManager keyfiles on RHEL), rolled back unless the host still answers",

  probe(args, context) {
    const live = {
      [PROBE.bridge]: sh`ip -o -d link show dev ${args.name}`,
      [PROBE.port]: sh`ip -o link show dev ${args.interface}`,
      [PROBE.portAddresses]: sh`ip -o -4 address show dev ${args.interface}`,
      [PROBE.bridgeAddresses]: sh`ip -o -4 address show dev ${args.name} 2>/dev/null || true`,
      [PROBE.routes]: sh`ip -4 route show default`,
    };
    // The address is not known before the probes are read; the file names do not depend on it.
    if (context.facts.osFamily === 'redhat') {
      return {
        ...live,
        [PROBE.networkManager]: sh`systemctl is-active NetworkManager`,
        [PROBE.connections]: sh`nmcli -t -f NAME,DEVICE connection show --active`,
        ...Object.fromEntries(keyfiles(args.name, args.interface, '', undefined).map((file) => [file.path, fileContentProbe(file.path)])),
      };
    }
    return {
      ...live,
      ...Object.fromEntries(networkdFiles(args.name, args.interface, '', undefined).map((file) => [file.path, fileContentProbe(file.path)])),
    };
  },

  plan(args, probes, context) {
    return planBridge(args, probes, context);
  },
};

function planBridge(args: BridgeArgs, probes: ProbeResults, context: ModuleContext): Plan {
  const { name, interface: port } = args;
  const redhat = context.facts.osFamily === 'redhat';
  if (redhat && probeOutput(probes, PROBE.networkManager).stdout.trim() !== 'active') {
    return { kind: 'fail', message: `bridge: NetworkManager is not active on ${context.host}; runbook configures RHEL-family hosts through its keyfiles` };
  }
  const portProbe = probeOutput(probes, PROBE.port);
  if (portProbe.code !== 0) return { kind: 'fail', message: `${port}: no such interface on ${context.host} (${portProbe.stderr.trim() || `exit ${portProbe.code}`})` };
  const live = readLiveState(probes);
  if (live.bridgeExists && !live.isBridge) return { kind: 'fail', message: `${name} exists on ${context.host} and is not a bridge` };
  if (live.portMaster !== undefined && live.portMaster !== name) {
    return { kind: 'fail', message: `${port} is already in ${live.portMaster}; runbook never takes an interface out of another bridge` };
  }
  const resolved = resolve(args, live);
  if (typeof resolved === 'string') return { kind: 'fail', message: resolved };
  const { address, gateway } = resolved;
  const liveInPlace =
    live.isBridge &&
    live.portMaster === name &&
    live.bridgeAddresses.includes(address) &&
    live.portAddresses.length === 0 &&
    (gateway === undefined || live.defaultRoutes.some((route) => route.via === gateway && route.dev === name));
  const kind = redhat ? 'NetworkManager keyfile' : 'systemd-networkd file';
  const files = (redhat ? keyfiles : networkdFiles)(name, port, address, gateway).map((file) => ({ ...file, current: parseFileContent(probeOutput(probes, file.path)) }));
  const stale = files.filter(
    (file) =>
      file.current.content === undefined ||
      !file.current.content.equals(Buffer.from(file.content)) ||
      // NetworkManager ignores a keyfile that is not root's alone.
      (redhat && (file.current.state?.mode !== '0600' || file.current.state.owner !== 'root')),
  );
  const result = { name, interface: port, address, ...(gateway === undefined ? {} : { gateway }), files: files.map((file) => file.path) };
  if (liveInPlace && stale.length === 0) {
    return { kind: 'noop', reason: `${port} is in ${name}, which holds ${address}; its ${kind}s are in place`, result };
  }
  const wanted: Switch = {
    name,
    port,
    address,
    gateway,
    live,
    confirmTimeoutS: args.confirm_timeout ?? 20,
    ...(redhat
      ? {
          networkManager: {
            files: stale.map((file) => ({ path: file.path, content: file.content, existed: file.current.state?.type === 'file' })),
            previous: activeConnection(probeOutput(probes, PROBE.connections).stdout, port),
          },
        }
      : {}),
  };
  // NetworkManager acts on a keyfile only when it is activated: a changed one goes through the guarded switch too.
  const switching = redhat || !liveInPlace;
  const after: LiveState = {
    ...live,
    bridgeExists: true,
    isBridge: true,
    portMaster: name,
    portAddresses: [],
    bridgeAddresses: [address],
    defaultRoutes: gateway === undefined ? live.defaultRoutes : [{ via: gateway, dev: name }],
  };
  return {
    kind: 'change',
    summary: [liveInPlace ? '' : `move ${port} and ${address} into bridge ${name}`, stale.length ? `write ${stale.length} ${kind}${stale.length === 1 ? '' : 's'}` : '']
      .filter(Boolean)
      .join('; '),
    diff: [
      ...(liveInPlace ? [] : [{ label: `bridge ${name} (live)`, before: describeLive(name, port, live), after: describeLive(name, port, after) }]),
      ...stale.map((file) => contentDiff(file.path, file.current.content ?? (file.current.sha256 ? { sha256: file.current.sha256 } : undefined), Buffer.from(file.content))),
    ],
    steps: [
      ...(switching ? switchSteps(wanted, context.nonce) : []),
      ...(redhat ? [] : stale).flatMap((file, index) => writeFileSteps(file.path, Buffer.from(file.content), { mode: '0644' }, file.current.state, { createParents: index === 0 })),
    ],
    result,
  };
}
