import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RunbookError } from '../../../src/errors.js';
import { secret, sh } from '../../../src/shell/command.js';
import { LocalTransport } from '../../../src/transport/local.js';

function failure(promise: Promise<unknown>): Promise<RunbookError> {
  return promise.then(
    () => {
      throw new Error('expected the command to fail');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(RunbookError);
      return error as RunbookError;
    },
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('LocalTransport', () => {
  it('returns exact output and exit status, and counts execs', async () => {
    const local = new LocalTransport('localhost');
    await local.connect();
    expect(await local.exec(sh`printf %s ${"a 'b'"}; printf 'e\\n' >&2; exit 5`)).toEqual({ code: 5, signal: null, stdout: "a 'b'", stderr: 'e\n' });
    expect(local.stats).toEqual({ connections: 1, execs: 1 });
  });

  it('reports a signal instead of an exit status', async () => {
    expect(await new LocalTransport('localhost').exec(sh`kill -TERM $$`)).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('passes binary stdin through and gives commands without stdin an end of file', async () => {
    const local = new LocalTransport('localhost');
    const input = randomBytes(256 * 1024);
    const result = await local.exec(sh`base64`, { stdin: input });
    expect(Buffer.from(result.stdout, 'base64').equals(input)).toBe(true);
    expect(await local.exec(sh`cat; echo end`)).toMatchObject({ code: 0, stdout: 'end\n' });
  });

  it('streams output without splitting multi-byte characters', async () => {
    const chunks: string[] = [];
    const result = await new LocalTransport('localhost').exec(sh`printf '\\360\\237'; sleep 0.05; printf '\\230\\200 ok'`, {
      onStdout: (chunk) => chunks.push(chunk),
    });
    expect(result.stdout).toBe('\u{1F600} ok');
    expect(chunks.join('')).toBe(result.stdout);
    expect(chunks.every((chunk) => !chunk.includes('\uFFFD'))).toBe(true);
  });

  it('kills the whole command, children included, when the timeout passes', async () => {
    const local = new LocalTransport('localhost');
    let child = 0;
    const error = await failure(
      local.exec(sh`sleep 30 & echo $!; wait`, {
        timeoutMs: 300,
        onStdout: (chunk) => {
          child = Number(chunk.trim());
        },
      }),
    );
    expect(error.code).toBe('RB_TIMEOUT');
    expect(error.message).toMatch(/^timed out after 300 ms on localhost: sleep 30 & echo \$!; wait$/);
    expect(child).toBeGreaterThan(0);
    // The kill is delivered at once, but the zombie may need a moment to be reaped.
    for (let attempt = 0; attempt < 100 && alive(child); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive(child)).toBe(false);
  });

  it('uses the settings command timeout when the exec gives none', async () => {
    const error = await failure(new LocalTransport('localhost', 200).exec(sh`sleep 30`));
    expect(error.code).toBe('RB_TIMEOUT');
  });

  it('stops on abort, without showing secrets', async () => {
    const controller = new AbortController();
    const running = new LocalTransport('localhost').exec(sh`sleep 30; echo ${secret('topsecret')}`, { signal: controller.signal });
    controller.abort();
    const error = await failure(running);
    expect(error.code).toBe('RB_COMMAND_FAILED');
    expect(error.message).toContain('interrupted');
    expect(error.message).not.toContain('topsecret');
  });
});
