import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareDefinition, withUuid } from '../../../../src/modules/lib/libvirt-definition.js';
import { parseXml } from '../../../../src/modules/lib/libvirt-xml.js';
import type { ChangePlan, FailPlan, ProbeResults } from '../../../../src/modules/types.js';
import { virtDomainModule } from '../../../../src/modules/virt-domain.js';
import type { VirtDomainArgs } from '../../../../src/schema/generated/virt_domain.js';
import { renderValue } from '../../../../src/template/index.js';
import { IMAGE, LIBVIRT_DOWN, NOT_DEFINED, UUID, domainXml, dominfo } from '../migrate/fixtures.js';
import { context, failed, ok, planWith, type Planned } from '../migrate/harness.js';

const PLAYBOOKS = join(import.meta.dirname, '../../../../playbooks');
const TEMPLATE = 'templates/tiny-guest.xml.j2';
const VARS = { guest_name: 'tiny', guest_disk: IMAGE };

/** The lab's real template, rendered like the engine renders it. */
function templateContext(vars: Record<string, unknown> = VARS, check = false) {
  return context({
    check,
    playbookDir: PLAYBOOKS,
    readLocalFile: (path) => readFileSync(join(PLAYBOOKS, path)),
    renderTemplate: (text) => String(renderValue(text, vars)),
  });
}

const TINY: VirtDomainArgs = { name: 'tiny', template: TEMPLATE, state: 'running' };

function plan(args: VirtDomainArgs, answers: ProbeResults, ctx = templateContext()): Planned {
  return planWith(virtDomainModule, args, ctx, answers);
}

function change(planned: Planned): ChangePlan {
  expect(planned.plan.kind, planned.plan.kind === 'fail' ? planned.plan.message : '').toBe('change');
  return planned.plan as ChangePlan;
}

const defined = (state: string, xml = domainXml()): ProbeResults => ({ domain: dominfo(state), definition: ok(xml) });
const undefinedDomain: ProbeResults = { domain: NOT_DEFINED, definition: failed("error: failed to get domain 'tiny'\n") };

describe('virt_domain: definition', () => {
  it('defines from the template through stdin, then starts, when the domain does not exist', () => {
    const planned = change(plan(TINY, undefinedDomain));
    expect(planned.steps.map((step) => step.title)).toEqual(['define tiny', 'start tiny']);
    expect(planned.steps[0]?.command.render()).toBe('cat | virsh -c qemu:///system define --file /dev/stdin');
    expect(String(planned.steps[0]?.stdin)).toContain(`<source file='${IMAGE}'/>`);
    expect(planned.steps[1]?.command.render()).toBe('virsh -c qemu:///system start --domain tiny');
    expect(planned.diff?.[0]).toMatchObject({ label: 'domain tiny definition', before: '' });
    expect(planned.diff?.[0]?.after).toContain("<memory unit='KiB'>65536</memory>");
  });

  it("is ok when libvirt's XML (uuid, addresses, controllers, KiB) matches the template", () => {
    const planned = plan(TINY, defined('running'));
    expect(planned.plan).toMatchObject({ kind: 'noop', reason: 'domain tiny: definition unchanged, running' });
  });

  it('redefines, keeping the uuid, when the template changes; the diff shows only what differs', () => {
    const planned = change(plan(TINY, defined('running', domainXml({ memoryKiB: 131072 }))));
    expect(planned.steps.map((step) => step.title)).toEqual(['define tiny']);
    expect(planned.summary).toBe('define tiny (the new definition takes effect at its next start)');
    expect(String(planned.steps[0]?.stdin)).toContain(`<uuid>${UUID}</uuid>`);
    const [diff] = planned.diff!;
    expect(diff?.before).toContain("<memory unit='KiB'>131072</memory>");
    expect(diff?.after).toContain("<memory unit='KiB'>65536</memory>");
    expect(diff?.before).not.toContain('<address');
  });

  it('sees a changed cache mode and a disk the template no longer has', () => {
    const writeback = plan(TINY, defined('running'), templateContext({ ...VARS, guest_cache: 'writeback' }));
    expect(change(writeback).diff?.[0]?.after).toContain("cache='writeback'");
    const extraDisk = domainXml().replace(
      "<serial type='file'>",
      "<disk type='file' device='disk'><source file='/data/b.img'/><target dev='vdb' bus='virtio'/></disk>\n<serial type='file'>",
    );
    expect(change(plan(TINY, defined('running', extraDisk))).diff?.[0]?.before).toContain('/data/b.img');
  });

  it('takes the XML inline or from a file too, and only one source of it', () => {
    const xml = String(renderValue(readFileSync(join(PLAYBOOKS, TEMPLATE), 'utf8'), VARS));
    const ctx = context({ readLocalFile: (path) => (path === 'tiny.xml' ? Buffer.from(xml) : Buffer.alloc(0)) });
    expect(plan({ name: 'tiny', xml }, defined('running'), ctx).plan.kind).toBe('noop');
    expect(plan({ name: 'tiny', xml_file: 'tiny.xml' }, defined('running'), ctx).plan.kind).toBe('noop');
    expect(() => plan({ name: 'tiny', xml, xml_file: 'tiny.xml' }, defined('running'), ctx)).toThrow(/only one of xml, xml_file and template/);
  });

  it('refuses XML that names another domain', () => {
    expect(() => plan({ ...TINY, name: 'other' }, undefinedDomain)).toThrow(/the XML defines domain "tiny", not "other"/);
  });

  it('fails when the domain does not exist and no XML is given', () => {
    const planned = plan({ name: 'tiny', state: 'running' }, undefinedDomain);
    expect((planned.plan as FailPlan).message).toBe('domain tiny is not defined on kvm1, and no xml, xml_file or template was given to define it');
  });

  it('manages only the run state of an existing domain when no XML is given', () => {
    expect(plan({ name: 'tiny', state: 'running' }, defined('running')).plan).toMatchObject({ kind: 'noop', reason: 'domain tiny: running' });
    expect(change(plan({ name: 'tiny', state: 'running' }, defined('paused'))).steps[0]?.title).toBe('resume tiny');
  });
});

describe('virt_domain: run states', () => {
  it('shutdown: graceful, waiting up to shutdown_timeout, then fails or powers off as asked', () => {
    const planned = change(plan({ name: 'tiny', state: 'shutdown', shutdown_timeout: 7, on_shutdown_timeout: 'destroy' }, defined('running')));
    const [step] = planned.steps;
    expect(step?.title).toBe('shut down tiny');
    expect(step?.timeoutMs).toBe(67_000);
    expect(step?.command.render()).toContain('[ "$rb_waited" -lt 7 ]');
    expect(step?.command.render()).toContain('virsh -c qemu:///system destroy --domain tiny');
    expect(planned.diff).toContainEqual({ label: 'domain tiny state', before: 'state: running\n', after: 'state: shut off\n' });
    const failing = change(plan({ name: 'tiny', state: 'shutdown' }, defined('running'))).steps[0]!.command.render();
    expect(failing).not.toContain('virsh -c qemu:///system destroy');
    expect(failing).toContain('exit 1');
    expect(plan({ name: 'tiny', state: 'shutdown' }, defined('shut off')).plan.kind).toBe('noop');
  });

  it('destroyed: powers off at once; ok when already off', () => {
    expect(change(plan({ name: 'tiny', state: 'destroyed' }, defined('running'))).steps[0]?.command.render()).toBe(
      'virsh -c qemu:///system destroy --domain tiny',
    );
    expect(plan({ name: 'tiny', state: 'destroyed' }, defined('shut off')).plan).toMatchObject({ kind: 'noop', reason: 'domain tiny: shut off' });
  });

  it('undefined: destroys a running domain, then undefines it; ok when absent', () => {
    const planned = change(plan({ name: 'tiny', state: 'undefined' }, defined('running')));
    expect(planned.steps.map((step) => step.command.render())).toEqual([
      'virsh -c qemu:///system destroy --domain tiny',
      'virsh -c qemu:///system undefine --domain tiny',
    ]);
    expect(plan({ name: 'tiny', state: 'undefined' }, undefinedDomain).plan).toMatchObject({ kind: 'noop', reason: 'domain tiny is not defined' });
  });

  it('undefined: removes UEFI variables and a managed save image with the domain; a transient domain only stops', () => {
    const uefi = domainXml().replace("<boot dev='hd'/>", "<boot dev='hd'/>\n    <nvram>/var/lib/libvirt/qemu/nvram/tiny_VARS.fd</nvram>");
    const managed = ok(dominfo('shut off').stdout.replace('Managed save:   no', 'Managed save:   yes'));
    expect(change(plan({ name: 'tiny', state: 'undefined' }, { domain: managed, definition: ok(uefi) })).steps[0]?.command.render()).toBe(
      'virsh -c qemu:///system undefine --domain tiny --managed-save --nvram',
    );
    const transient = change(plan({ name: 'tiny', state: 'undefined' }, { domain: dominfo('running', { persistent: false }), definition: ok(domainXml()) }));
    expect(transient.steps.map((step) => step.title)).toEqual(['destroy tiny']);
  });

  it('autostart: set when it differs, ok when it matches', () => {
    const planned = change(plan({ name: 'tiny', state: 'running', autostart: true }, defined('running')));
    expect(planned.steps[0]?.command.render()).toBe('virsh -c qemu:///system autostart --domain tiny');
    expect(plan({ name: 'tiny', state: 'running', autostart: false }, defined('running')).plan).toMatchObject({
      kind: 'noop',
      reason: 'domain tiny: running, autostart off',
    });
    expect(change(plan({ name: 'tiny', state: 'running', autostart: false }, { domain: dominfo('running', { autostart: true }), definition: ok(domainXml()) })).steps[0]?.command.render()).toBe(
      'virsh -c qemu:///system autostart --disable --domain tiny',
    );
  });

  it('fails when libvirt does not answer, but skips in check mode (an earlier task may install it)', () => {
    const down = { domain: LIBVIRT_DOWN, definition: LIBVIRT_DOWN };
    expect((plan(TINY, down).plan as FailPlan).message).toMatch(/^libvirt on kvm1 does not answer: error: failed to connect/);
    expect(plan(TINY, down, templateContext(VARS, true)).plan).toMatchObject({ kind: 'noop', skipped: true });
  });
});

describe('virt_domain: peers (where a migration may have put the domain)', () => {
  const WITH_PEERS: VirtDomainArgs = { ...TINY, peers: ['kvm1', 'kvm2'] };

  it('reads the domain on each peer, on that peer', () => {
    const planned = plan(WITH_PEERS, { ...undefinedDomain, 'peer kvm2': dominfo('running') });
    expect(planned.asked['peer kvm2']).toEqual({ host: 'kvm2', command: 'virsh -c qemu:///system dominfo --domain tiny' });
    expect(planned.asked).not.toHaveProperty(['peer kvm1']);
  });

  it('is ok and touches nothing when the domain runs on a peer and not here', () => {
    const planned = plan(WITH_PEERS, { ...undefinedDomain, 'peer kvm2': dominfo('running') });
    expect(planned.plan).toMatchObject({ kind: 'noop', reason: 'domain tiny runs on kvm2 (a peer, e.g. after a migration); not started on kvm1' });
  });

  it('fails when it runs here and on a peer', () => {
    const planned = plan(WITH_PEERS, { ...defined('running'), 'peer kvm2': dominfo('running') });
    expect((planned.plan as FailPlan).message).toMatch(/runs both on kvm1 and on kvm2/);
  });

  it('defines and starts here when no peer runs it', () => {
    expect(change(plan(WITH_PEERS, { ...undefinedDomain, 'peer kvm2': NOT_DEFINED })).steps.map((step) => step.title)).toEqual([
      'define tiny',
      'start tiny',
    ]);
  });

  it('applies to state running only', () => {
    expect((plan({ name: 'tiny', state: 'shutdown', peers: ['kvm2'] }, { ...defined('running'), 'peer kvm2': NOT_DEFINED }).plan as FailPlan).message).toBe(
      'peers applies to state running only (state is shutdown)',
    );
  });
});

describe('libvirt definition comparison', () => {
  it('treats machine type aliases and libvirt defaults as unchanged', () => {
    const user = "<domain type='qemu'><name>t</name><os><type arch='x86_64' machine='pc'>hvm</type></os><vcpu>1</vcpu></domain>";
    const libvirt =
      "<domain type='qemu'><name>t</name><uuid>u</uuid><vcpu placement='static'>1</vcpu><os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type><boot dev='hd'/></os></domain>";
    expect(compareDefinition(user, libvirt).same).toBe(true);
  });

  it('compares memory across units', () => {
    const user = "<domain><name>t</name><memory unit='GiB'>1</memory></domain>";
    expect(compareDefinition(user, "<domain><name>t</name><memory unit='KiB'>1048576</memory></domain>").same).toBe(true);
    expect(compareDefinition(user, "<domain><name>t</name><memory unit='KiB'>524288</memory></domain>").same).toBe(false);
  });

  it('inserts the existing uuid after the name only when the XML has none', () => {
    const placed = parseXml(withUuid('<domain><name>t</name><vcpu>1</vcpu></domain>', 'abc'));
    expect(placed.children.map((element) => element.name)).toEqual(['name', 'uuid', 'vcpu']);
    expect(withUuid('<domain><name>t</name><uuid>mine</uuid></domain>', 'abc')).toContain('<uuid>mine</uuid>');
  });

  it('rejects XML it cannot read', () => {
    expect(() => parseXml('<domain><name>t</domain>')).toThrow(/does not close/);
    expect(() => parseXml('<domain><name a>t</name></domain>')).toThrow(/cannot read/);
    expect(() => parseXml('<a/><b/>')).toThrow(/more than one root/);
  });

  it('reads entities, CDATA and comments', () => {
    const element = parseXml("<?xml version='1.0'?><!-- c --><d a='x &amp; y'><n><![CDATA[a<b]]></n><m>&lt;&#65;</m></d>");
    expect(element.attributes.a).toBe('x & y');
    expect(element.children.map((child) => child.text)).toEqual(['a<b', '<A']);
  });
});
