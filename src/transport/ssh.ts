import { readFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AnyAuthMethod, AuthHandlerMiddleware, Client, ClientChannel, ConnectConfig, ParsedKey } from 'ssh2';
import { RunbookError } from '../errors.js';
import type { Command } from '../shell/command.js';
import { OutputCollector, supervise } from './exec.js';
import { KnownHostsVerifier } from './known-hosts.js';
import { Slots } from './slots.js';
import type { ConnectionSettings, ExecOptions, ExecResult, Transport, TransportStats } from './types.js';

const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 3;
/** How long a stopped command has to end after TERM before KILL follows. */
const KILL_GRACE_MS = 5_000;
/**
 * Handshakes in flight at once, across all hosts. A handshake is a few round trips and a few
 * milliseconds of CPU on each side; a thousand started together (forks 1000) share the controller's
 * CPU, and on a loaded machine the hosts' too, and the last of them outlived the connect timeout.
 * Queued ones wait here, and their timeout starts only when they leave the queue. Wide enough that
 * latency-bound handshakes over a real network still run hundreds at a time.
 */
const MAX_HANDSHAKES_IN_FLIGHT = 100;

/**
 * ssh2 also accepts an auth handler that returns the next method, or false when none is left;
 * its type definitions describe only the callback form.
 */
type ReturningAuthHandler = (methodsLeft: string[] | null) => AnyAuthMethod | false;

/** The authentication methods to try, in order, and why others were left out. */
interface AuthPlan {
  methods: Array<{ label: string; auth: AnyAuthMethod }>;
  skipped: string[];
}

/**
 * Commands over one ssh2 connection per host, reused for every exec (reopened if it drops). Host
 * keys are always checked against known_hosts; an optional single jump host is reached first and
 * the target is tunnelled through it.
 */
export class SshTransport implements Transport {
  readonly name: string;
  readonly stats: TransportStats = { connections: 0, execs: 0 };
  private client: Client | undefined;
  private jumpClient: Client | undefined;
  private opening: Promise<Client> | undefined;
  /** Commands being stopped: closing waits for them, so that an interrupted run leaves nothing running. */
  private readonly stopping = new Set<Promise<void>>();

  constructor(private readonly settings: ConnectionSettings) {
    this.name = settings.name;
  }

  async connect(): Promise<void> {
    await this.connection();
  }

  async exec(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    const rendered = command.render();
    const client = await this.connection();
    this.stats.execs += 1;
    const timeoutMs = options.timeoutMs ?? this.settings.commandTimeoutMs;
    const limits = { ...options, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
    return supervise(command, this.name, limits, (finish) => {
      let channel: ClientChannel | undefined;
      // Set when the command is stopped before its channel opened: closing waits for the stop.
      let stopOnOpen: ((opened: ClientChannel | undefined) => void) | undefined;
      const onConnectionLost = (): void =>
        finish(new RunbookError('RB_CONNECT', `connection to ${this.where()} was lost while a command ran`));
      const cannotStart = (error: Error): void => {
        client.removeListener('close', onConnectionLost);
        stopOnOpen?.(undefined);
        finish(new RunbookError('RB_CONNECT', `cannot start a command on ${this.where()}: ${error.message}`, { cause: error }));
      };
      client.once('close', onConnectionLost);
      const started = (error: Error | undefined, opened: ClientChannel): void => {
        if (error) {
          cannotStart(error);
          return;
        }
        channel = opened;
        if (stopOnOpen) {
          client.removeListener('close', onConnectionLost);
          opened.resume();
          opened.stderr.resume();
          stopOnOpen(opened);
          return;
        }
        const output = new OutputCollector(options);
        opened.on('data', output.onStdout);
        opened.stderr.on('data', output.onStderr);
        // ssh2 passes the exit status (or signal) to 'close'; the 'exit' event is not always sent.
        opened.on('close', (code: number | null | undefined, signal: string | undefined) => {
          client.removeListener('close', onConnectionLost);
          finish(output.result(code, signal));
        });
        if (!options.keepStdinOpen) opened.end(options.stdin);
        else if (options.stdin !== undefined) opened.write(options.stdin);
      };
      try {
        client.exec(rendered, started);
      } catch (error) {
        // ssh2 throws when the socket closed but 'close' has not been emitted yet.
        cannotStart(error as Error);
      }
      return {
        kill: () => {
          if (channel) this.stop(channel);
          else this.track(new Promise<ClientChannel | undefined>((resolve) => (stopOnOpen = resolve)).then((opened) => opened && stopRemote(opened)));
        },
      };
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.stopping);
    await Promise.all([this.client, this.jumpClient].map((client) => client && endClient(client)));
    this.client = undefined;
    this.jumpClient = undefined;
  }

  private stop(channel: ClientChannel): void {
    this.track(stopRemote(channel));
  }

  private track(stopping: Promise<void>): void {
    const tracked = stopping.finally(() => this.stopping.delete(tracked));
    this.stopping.add(tracked);
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async open(): Promise<Client> {
    const { jump } = this.settings;
    let openSocket = (): Promise<Duplex> => Promise.resolve(tcpSocket(this.settings));
    if (jump) {
      if (!this.jumpClient) {
        const jumpClient = await openClient(jump, () => Promise.resolve(tcpSocket(jump)));
        jumpClient.on('close', () => {
          if (this.jumpClient === jumpClient) this.jumpClient = undefined;
        });
        this.jumpClient = jumpClient;
      }
      const jumpClient = this.jumpClient;
      openSocket = () => tunnel(jumpClient, jump, this.settings);
    }
    let client: Client;
    try {
      client = await openClient(this.settings, openSocket);
    } catch (error) {
      // Keep no jump connection open for a target that could not be reached through it.
      if (this.jumpClient) await endClient(this.jumpClient);
      throw error;
    }
    client.on('close', () => {
      if (this.client === client) this.client = undefined;
    });
    this.client = client;
    this.stats.connections += 1;
    return client;
  }

  private where(): string {
    return `${this.settings.address}:${this.settings.port}`;
  }
}

function tcpSocket(settings: ConnectionSettings): Duplex {
  const sock = tcpConnect({ host: settings.address, port: settings.port });
  // Without it Nagle's algorithm holds back small packets and every exec stalls for ~40 ms.
  sock.setNoDelay(true);
  return sock;
}

function tunnel(jumpClient: Client, jump: ConnectionSettings, target: ConnectionSettings): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jumpClient.forwardOut('127.0.0.1', 0, target.address, target.port, (error, channel) => {
      if (error) {
        reject(
          new RunbookError(
            'RB_CONNECT',
            `cannot reach ${target.address}:${target.port} through jump host ${jump.address}:${jump.port}: ${error.message}`,
            { cause: error },
          ),
        );
      } else {
        resolve(channel);
      }
    });
  });
}

/**
 * ssh2, loaded on the first ssh connection: runs on local hosts only, and `runbook --version`, start
 * without it. It is CommonJS: the import's default is its module.exports (with utils, which Node
 * does not detect as a named export), the shape @types/ssh2 declares for the module itself. The CLI
 * bundle inlines it, so it shares the bundle's code cache.
 */
export async function loadSsh2(): Promise<typeof import('ssh2')> {
  const imported = (await import('ssh2')) as unknown as { default: typeof import('ssh2') };
  return imported.default;
}

/**
 * Opens the socket and authenticates over it, resolving once the session is ready; every failure is
 * a RunbookError. The socket is opened only when ssh2 can take it at once, so its errors always
 * have a listener.
 */
async function openClient(settings: ConnectionSettings, openSocket: () => Promise<Duplex>): Promise<Client> {
  const where = `${settings.address}:${settings.port}`;
  const verifier = new KnownHostsVerifier({
    file: settings.knownHostsFile,
    host: settings.address,
    port: settings.port,
    policy: settings.hostKeyPolicy,
  });
  const [serverHostKey, auth] = await Promise.all([verifier.hostKeyAlgorithms(), authPlan(settings)]);
  if (auth.methods.length === 0) {
    throw new RunbookError('RB_AUTH', `no way to authenticate as ${settings.user}@${where}${skippedText(auth)}`, {
      hint: 'set ansible_ssh_private_key_file (or IdentityFile in ~/.ssh/config), start ssh-agent, or set ansible_password',
    });
  }
  const { Client } = await loadSsh2();
  await handshakeSlots.acquire();
  try {
    return await handshake(new Client(), await openSocket(), settings, verifier, serverHostKey, auth);
  } finally {
    handshakeSlots.release();
  }
}

const handshakeSlots = new Slots(MAX_HANDSHAKES_IN_FLIGHT);

function handshake(
  client: Client,
  sock: Duplex,
  settings: ConnectionSettings,
  verifier: KnownHostsVerifier,
  serverHostKey: Awaited<ReturnType<KnownHostsVerifier['hostKeyAlgorithms']>>,
  auth: AuthPlan,
): Promise<Client> {
  const where = `${settings.address}:${settings.port}`;
  const tried: string[] = [];
  let hostKeyError: RunbookError | undefined;
  return new Promise((resolve, reject) => {
    let ready = false;
    client.on('error', (error: Error & { level?: string }) => {
      // An unusable agent is not fatal: ssh2 moves on to the next method.
      if (error.level === 'agent') {
        auth.skipped.push(`agent (${error.message})`);
        return;
      }
      // Once ready, errors end the connection and a running exec learns of it from 'close'.
      if (ready) return;
      client.destroy();
      reject(hostKeyError ?? connectionError(error, settings, where, tried, auth));
    });
    client.once('ready', () => {
      ready = true;
      resolve(client);
    });

    const methods = [...auth.methods];
    const authHandler: ReturningAuthHandler = (methodsLeft) => {
      let next = methods.shift();
      // After the first attempt the server says which methods it still accepts.
      while (next && methodsLeft && !methodsLeft.includes(next.auth.type === 'agent' ? 'publickey' : next.auth.type)) {
        auth.skipped.push(`${next.label} (not accepted by the server)`);
        next = methods.shift();
      }
      if (!next) return false;
      tried.push(next.label);
      return next.auth;
    };

    const config: ConnectConfig = {
      sock,
      username: settings.user,
      readyTimeout: settings.connectTimeoutMs,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      algorithms: { serverHostKey: serverHostKey as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
      // Callback form: the check reads (and under accept-new writes) known_hosts asynchronously.
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        verifier.verify(key).then(
          () => verify(true),
          (error: unknown) => {
            hostKeyError =
              error instanceof RunbookError
                ? error
                : new RunbookError('RB_HOSTKEY', `cannot check the host key of ${where}: ${String(error)}`, { cause: error });
            verify(false);
          },
        );
      },
      authHandler: authHandler as unknown as AuthHandlerMiddleware,
    };
    client.connect(config);
    ignoreHostKeysAnnouncement(client);
  });
}

type GlobalRequestHandler = (protocol: { requestSuccess(): void }, name: string, wantReply: boolean, ...rest: unknown[]) => void;

/**
 * After login OpenSSH announces all its host keys (hostkeys-00@openssh.com), and ssh2 answers every
 * announcement by asking the server to prove each key: one signature per key on the server (an RSA
 * one is costly) and one verification here, on every connection. runbook never learns announced
 * keys (known_hosts changes only by the host-key policy, for the key the session was made with), so
 * the proofs were wasted: the announcement is acknowledged and dropped. ssh2 offers no option for
 * this; the hook is its private message-handler table, in the version package-lock.json pins. If the
 * table moves or turns read-only, the proofs come back, nothing fails, and an integration test does.
 */
function ignoreHostKeysAnnouncement(client: Client): void {
  const handlers = (client as unknown as { _protocol?: { _handlers?: { GLOBAL_REQUEST?: GlobalRequestHandler } } })._protocol?._handlers;
  const handle = handlers?.GLOBAL_REQUEST;
  if (!handlers || typeof handle !== 'function') return;
  try {
    handlers.GLOBAL_REQUEST = (protocol, name, wantReply, ...rest) => {
      if (name !== 'hostkeys-00@openssh.com') handle(protocol, name, wantReply, ...rest);
      else if (wantReply) protocol.requestSuccess();
    };
  } catch {
    // Read-only: see above.
  }
}

async function authPlan(settings: ConnectionSettings): Promise<AuthPlan> {
  const plan: AuthPlan = { methods: [], skipped: [] };
  const username = settings.user;
  for (const file of settings.privateKeyFiles) {
    const key = await privateKey(file);
    if (typeof key === 'string') plan.skipped.push(`publickey ${file} (${key})`);
    else plan.methods.push({ label: `publickey ${file}`, auth: { type: 'publickey', username, key } });
  }
  const agent = process.env.SSH_AUTH_SOCK;
  if (agent) plan.methods.push({ label: `agent (SSH_AUTH_SOCK=${agent})`, auth: { type: 'agent', username, agent } });
  if (settings.password !== undefined) {
    plan.methods.push({ label: 'password', auth: { type: 'password', username, password: settings.password } });
  }
  return plan;
}

/**
 * Key files parsed once while their bytes stay the same, however many hosts use them (parsing costs
 * about a millisecond). The file is read every time (a few hundred bytes) and compared, the rule
 * known_hosts follows too: a key replaced during the run is parsed again, whatever its timestamps.
 */
const privateKeys = new Map<string, { data: Buffer; key: ParsedKey | string }>();

/** The parsed key, or why it cannot be used. */
async function privateKey(file: string): Promise<ParsedKey | string> {
  const { utils } = await loadSsh2();
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    return `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  // No await from here on: hosts connecting together find the first one's result.
  const cached = privateKeys.get(file);
  if (cached?.data.equals(data)) return cached.key;
  const parsed = utils.parseKey(data);
  const key = parsed instanceof Error ? `${parsed.message}${/passphrase/i.test(parsed.message) ? '; add it to ssh-agent instead' : ''}` : parsed;
  privateKeys.set(file, { data, key });
  return key;
}

function connectionError(
  error: Error & { level?: string; code?: string },
  settings: ConnectionSettings,
  where: string,
  tried: readonly string[],
  auth: AuthPlan,
): RunbookError {
  switch (error.level) {
    case 'client-authentication':
      return new RunbookError(
        'RB_AUTH',
        `authentication as ${settings.user}@${where} failed; tried: ${tried.join(', ') || 'nothing'}${skippedText(auth)}`,
        { cause: error, hint: `check the user name and that one of these keys is in ~${settings.user}/.ssh/authorized_keys on the host` },
      );
    case 'client-timeout':
      return new RunbookError('RB_CONNECT', `cannot connect to ${where}: no SSH handshake within ${settings.connectTimeoutMs} ms`, {
        cause: error,
      });
    case 'client-socket':
      return new RunbookError('RB_CONNECT', `cannot connect to ${where}: ${socketErrorText(error)}`, { cause: error });
    default:
      return new RunbookError('RB_CONNECT', `SSH connection to ${where} failed: ${error.message}`, { cause: error });
  }
}

function socketErrorText(error: Error & { code?: string }): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is sshd running on that port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to host';
    default:
      return error.message;
  }
}

function skippedText(auth: AuthPlan): string {
  return auth.skipped.length === 0 ? '' : `; not tried: ${auth.skipped.join(', ')}`;
}

/**
 * Stops the remote command, resolving once its channel is closed. TERM first: it reaches the
 * command's whole process group, and under sudo (which runs the command as another user, out of
 * reach of the session user's signals) sudo relays it to the command, whose become wrapper then
 * ends its own group (see becomeCommand); a KILL would end sudo alone and leave the command running.
 * KILL follows after KILL_GRACE_MS if the command is still there.
 */
function stopRemote(channel: ClientChannel): Promise<void> {
  return new Promise((resolve) => {
    const internals = channel as unknown as { outgoing?: { state: string } };
    if (internals.outgoing?.state === 'closed') {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      signalRemote(channel, 'KILL');
      channel.close();
    }, KILL_GRACE_MS);
    channel.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    signalRemote(channel, 'TERM');
  });
}

/**
 * Sends an SSH "signal" request, which OpenSSH answers with killpg() on the command's process group,
 * as the session user. ssh2's channel.signal() does nothing once our side has sent EOF (always, right
 * after stdin), although the protocol allows the request until the channel closes; so the request
 * goes through ssh2's protocol object directly.
 */
function signalRemote(channel: ClientChannel, signal: 'TERM' | 'KILL'): void {
  const internals = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(channelId: number, signal: string): void } };
  };
  const { outgoing } = internals;
  const protocol = internals._client?._protocol;
  if (outgoing && protocol && (outgoing.state === 'open' || outgoing.state === 'eof')) protocol.signal(outgoing.id, signal);
}

function endClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    client.once('close', () => resolve());
    client.end();
  });
}
