import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchModule } from '../../../../src/modules/fetch.js';
import type { ChangePlan } from '../../../../src/modules/types.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'runbook-fetch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bytes = Buffer.from('kvm1\n');
const sha1 = '93e3b2983e4b490157c2c07707ac274288b380e7';

function planned(args: Record<string, unknown>, remoteSha1: string): ChangePlan {
  const context = fakeContext({ playbookDir: root });
  const plan = fetchModule.plan(args as never, { remote: { code: 0, signal: null, stdout: `${remoteSha1}  -\n`, stderr: '' } }, context);
  if (plan.kind !== 'change') throw new Error(`expected a change, got ${plan.kind}`);
  return plan;
}

describe('fetch writes on the controller only when the read step succeeded', () => {
  it('writes dest/<host>/<src> with its parents, and returns the checksums', () => {
    const plan = planned({ src: '/etc/hostname', dest: 'out' }, sha1);
    const outcome = plan.finish?.({ content: { code: 0, signal: null, stdout: bytes.toString('base64'), stderr: '' } });
    expect(outcome).toMatchObject({ result: { checksum: sha1, md5sum: 'c9a55031f4321296800de262549de2e3' } });
    expect(readFileSync(join(root, 'out', 'testhost', 'etc', 'hostname'))).toEqual(bytes);
    expect(readdirSync(join(root, 'out', 'testhost', 'etc'))).toEqual(['hostname']);
  });

  it('fails with "checksum mismatch" and writes nothing when the bytes read differ from the SHA1 probed', () => {
    const plan = planned({ src: '/etc/motd', dest: 'out' }, sha1);
    const outcome = plan.finish?.({ content: { code: 0, signal: null, stdout: Buffer.from('changed meanwhile\n').toString('base64'), stderr: '' } });
    expect(outcome?.failure).toBe('checksum mismatch');
    expect(() => readFileSync(join(root, 'out', 'testhost', 'etc', 'motd'))).toThrow();
  });
});
